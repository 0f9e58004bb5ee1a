/** Small RFC 822 messages built in code for seeding the emulator. */

const join = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

export const PDF_BYTES = Buffer.from('%PDF-1.4\n% conformance fixture\n');
export const INNER_SUBJECT = 'Original wire transfer request';

export function phishEml(to: string): Buffer {
  return join([
    'From: "IT Helpdesk" <helpdesk@evil.example>',
    `To: ${to}`,
    'Cc: Bob <bob@contoso.example>',
    'Subject: Action required: password expiry',
    'Date: Tue, 2 Jan 2024 09:58:00 +0000',
    'Message-ID: <phish-001@evil.example>',
    'X-Priority: 1',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/related; boundary="rel"',
    '',
    '--rel',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><body><p>Your password expires today. Click <a href="https://evil.example/login">here</a>.</p><img src="cid:logo@evil"></body></html>',
    '--rel',
    'Content-Type: image/png; name="logo.png"',
    'Content-ID: <logo@evil>',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-Transfer-Encoding: base64',
    '',
    'iVBORw0KGgo=',
    '--rel--',
    '--outer',
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    PDF_BYTES.toString('base64'),
    '--outer',
    'Content-Type: message/rfc822',
    'Content-Disposition: attachment; filename="original.eml"',
    '',
    'From: ceo@contoso.example',
    'To: finance@contoso.example',
    `Subject: ${INNER_SUBJECT}`,
    'Message-ID: <inner-001@contoso.example>',
    'Date: Mon, 1 Jan 2024 08:00:00 +0000',
    '',
    'Please wire the money today.',
    '--outer--',
    '',
  ]);
}

export function plainEml(opts: { from: string; to: string; subject: string; messageId: string; body: string; date?: string }): Buffer {
  return join([
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Date: ${opts.date ?? 'Wed, 3 Jan 2024 12:00:00 +0000'}`,
    `Message-ID: ${opts.messageId}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '',
  ]);
}
