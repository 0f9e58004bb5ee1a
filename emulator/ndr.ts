/**
 * The non-delivery report Exchange Online sends back for an address of the organisation's own
 * domain that no recipient holds: from the postmaster ("Microsoft Outlook"), subject
 * "Undeliverable: ...", a multipart/report with a readable part, a message/delivery-status part
 * (Status 5.1.10, 550 5.1.10 RESOLVER.ADR.RecipientNotFound) and the original's headers.
 */
import { randomBytes } from 'node:crypto';
import type { UserRecord } from './store.ts';

export interface NdrInput {
  sender: UserRecord;
  domain: string;
  recipients: string[];
  original: Buffer;
  subject: string;
  internetMessageId: string;
  now: number;
}

const DIAGNOSTIC = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';

export function buildNdr(input: NdrInput): Buffer {
  const boundary = `ndr_${randomBytes(8).toString('hex')}`;
  const date = new Date(input.now).toUTCString().replace('GMT', '+0000');
  const end = input.original.indexOf('\r\n\r\n');
  const originalHeaders = (end >= 0 ? input.original.subarray(0, end) : input.original).toString('utf8');
  const subject = `Undeliverable: ${input.subject}`;
  const readable = [
    ...input.recipients.map((r) => `Your message to ${r} couldn't be delivered.`),
    '',
    `The address wasn't found at ${input.domain}.`,
    '',
    `Remote server returned '${DIAGNOSTIC}'`,
  ].join('\r\n');
  const status = [
    'Reporting-MTA: dns;emulator.prod.outlook.com',
    `Arrival-Date: ${date}`,
    ...input.recipients.flatMap((r) => ['', `Final-Recipient: rfc822;${r}`, 'Action: failed', 'Status: 5.1.10', `Diagnostic-Code: smtp;${DIAGNOSTIC}`]),
  ].join('\r\n');
  const lines = [
    `From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@${input.domain}>`,
    `To: ${input.sender.userPrincipalName}`,
    `Subject: ${/^[\x20-\x7e]*$/.test(subject) ? subject : `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`}`,
    `Date: ${date}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.domain}>`,
    `In-Reply-To: ${input.internetMessageId}`,
    `References: ${input.internetMessageId}`,
    'Auto-Submitted: auto-replied',
    'X-MS-Exchange-Message-Is-Ndr: ',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="utf-8"',
    '',
    readable,
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    status,
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    originalHeaders,
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
