import type { MailFileType, ParsedMail } from './types.ts';

/** One attachment as a format reader hands it over, before hashing and limits. */
export interface RawPart {
  name: string;
  contentType: string;
  bytes: Uint8Array;
  isInline: boolean;
  contentId: string | null;
  /** The reader already knows this part is a mail file (message/rfc822, embedded Outlook item). */
  mailType?: MailFileType;
}

/** What a format reader returns: everything but the attachments, which the tree walker finishes. */
export type RawMail = Omit<ParsedMail, 'attachments' | 'nested' | 'fileName'> & { parts: RawPart[] };

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': '.eml',
  'message/global': '.eml',
  'text/calendar': '.ics',
  'application/ics': '.ics',
  'text/plain': '.txt',
  'text/html': '.html',
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'application/zip': '.zip',
  'application/vnd.ms-outlook': '.msg',
};

/** Unnamed parts still need a stable, meaningful name (downloads and case-wall files use it). */
export function fallbackPartName(index: number, contentType: string): string {
  const ext = EXTENSIONS[contentType.toLowerCase()] ?? '.bin';
  return `part-${index + 1}${ext}`;
}

export function toIso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
