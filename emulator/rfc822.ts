/** Builds small RFC 822 messages in code (seed data and tests), CRLF line endings throughout. */
import { randomBytes } from 'node:crypto';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Attach as an embedded email (message/rfc822, 7bit) rather than base64. */
  embeddedMessage?: boolean;
  /** An inline part (`Content-Disposition: inline`), referenced from the HTML by `cid:`. */
  inline?: boolean;
  contentId?: string;
}

export interface MailSpec {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  date: Date;
  messageId: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  /** The full References chain (defaults to inReplyTo alone). */
  references?: string[];
  replyTo?: string[];
  /** Exchange's Thread-Index (base64), Graph's conversationIndex. */
  threadIndex?: string;
  threadTopic?: string;
  importance?: 'low' | 'normal' | 'high';
  headers?: Record<string, string>;
  attachments?: MailAttachment[];
}

function wrap64(data: Buffer): string {
  return data.toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd();
}

function encodeSubject(subject: string): string {
  return /^[\x20-\x7e]*$/.test(subject) ? subject : `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
}

export function buildMail(spec: MailSpec): Buffer {
  const lines: string[] = [
    `From: ${spec.from}`,
    `To: ${spec.to.join(', ')}`,
    ...(spec.cc?.length ? [`Cc: ${spec.cc.join(', ')}`] : []),
    ...(spec.replyTo?.length ? [`Reply-To: ${spec.replyTo.join(', ')}`] : []),
    `Subject: ${encodeSubject(spec.subject)}`,
    `Date: ${spec.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${spec.messageId}`,
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references?.length ? [`References: ${spec.references.join(' ')}`] : spec.inReplyTo ? [`References: ${spec.inReplyTo}`] : []),
    ...(spec.threadTopic !== undefined ? [`Thread-Topic: ${encodeSubject(spec.threadTopic)}`] : []),
    ...(spec.threadIndex ? [`Thread-Index: ${spec.threadIndex}`] : []),
    ...(spec.importance && spec.importance !== 'normal' ? [`Importance: ${spec.importance}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64', '', wrap64(Buffer.from(spec.text))];
  const body: string[] = [];
  const alt = spec.html
    ? (() => {
        const b = `alt_${randomBytes(8).toString('hex')}`;
        return [
          `Content-Type: multipart/alternative; boundary="${b}"`,
          '',
          `--${b}`,
          ...textPart,
          `--${b}`,
          'Content-Type: text/html; charset="utf-8"',
          'Content-Transfer-Encoding: base64',
          '',
          wrap64(Buffer.from(spec.html)),
          `--${b}--`,
        ];
      })()
    : textPart;
  if (!spec.attachments?.length) {
    body.push(...alt);
  } else {
    const b = `mix_${randomBytes(8).toString('hex')}`;
    body.push(`Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, ...alt);
    for (const a of spec.attachments) {
      body.push(`--${b}`);
      if (a.embeddedMessage) {
        body.push(
          `Content-Type: message/rfc822; name="${a.filename}"`,
          `Content-Disposition: attachment; filename="${a.filename}"`,
          '',
          a.content.toString('utf8').replace(/\r?\n/g, '\r\n').trimEnd(),
        );
      } else {
        body.push(
          `Content-Type: ${a.contentType}; name="${a.filename}"`,
          `Content-Disposition: ${a.inline ? 'inline' : 'attachment'}; filename="${a.filename}"`,
          ...(a.contentId ? [`Content-ID: <${a.contentId.replace(/^<|>$/g, '')}>`] : []),
          'Content-Transfer-Encoding: base64',
          '',
          wrap64(a.content),
        );
      }
    }
    body.push(`--${b}--`);
  }
  return Buffer.from([...lines, ...body].join('\r\n') + '\r\n');
}
