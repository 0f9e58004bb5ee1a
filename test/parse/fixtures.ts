/** MIME fixtures built in code (no files from ../shared), small enough to read in a test. */

export function eml(lines: string[]): Uint8Array {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

export function innerPhish(): string[] {
  return [
    'From: "Payroll" <payroll@evil.example>',
    'To: victim@contoso.example',
    'Subject: Inner phish',
    'Date: Thu, 4 Jul 2024 12:11:29 +0530',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="in"',
    '',
    '--in',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Login at https://evil.example/login now',
    '--in',
    'Content-Type: application/octet-stream; name="payload.bin"',
    'Content-Disposition: attachment; filename="payload.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('MZ fake payload').toString('base64'),
    '--in--',
    '',
  ];
}

/** A report that wraps the phish as message/rfc822, the way users forward phishing. */
export function reportWithAttachedPhish(): Uint8Array {
  return eml([
    'From: Alice <alice@contoso.example>',
    'To: soc@contoso.example, Bob <bob@contoso.example>',
    'Cc: carol@contoso.example',
    'Subject: FW: suspicious',
    'Date: Fri, 5 Jul 2024 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="out"',
    '',
    '--out',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Please check</p>',
    '--out',
    'Content-Type: message/rfc822; name="phish.eml"',
    'Content-Disposition: attachment; filename="phish.eml"',
    '',
    ...innerPhish(),
    '--out--',
    '',
  ]);
}

/** N levels of message/rfc822 inside each other: the nesting-bomb shape. */
export function nestedChain(levels: number): Uint8Array {
  let body = ['From: a@b.example', 'Subject: level 0', 'Content-Type: text/plain', '', 'bottom', ''].join('\r\n');
  for (let i = 1; i <= levels; i++) {
    body = [
      'From: a@b.example',
      `Subject: level ${i}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="b${i}"`,
      '',
      `--b${i}`,
      'Content-Type: text/plain',
      '',
      `level ${i}`,
      `--b${i}`,
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="inner.eml"',
      '',
      body,
      `--b${i}--`,
      '',
    ].join('\r\n');
  }
  return Buffer.from(body, 'latin1');
}

export const TWO_EVENTS_ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:1@test',
  'DTSTART:20240704T100000Z',
  'DTEND:20240704T110000Z',
  'SUMMARY:Pay invoice',
  'DESCRIPTION:Open https://evil.example/pay\\nthanks',
  'ORGANIZER;CN=Walmart:mailto:boss@evil.example',
  'ATTENDEE;CN=Victim:mailto:victim@contoso.example',
  'ATTENDEE:mailto:other@contoso.example',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:2@test',
  'DTSTART;VALUE=DATE:20240705',
  'SUMMARY:Second',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');
