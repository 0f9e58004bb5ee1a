/** The one shape every parsed mail file takes, whatever it was: .eml, .msg or .ics. */
import type { MailParseErrorCode } from './errors.ts';

export type MailFileType = 'eml' | 'msg' | 'ics';

export interface MailAddress {
  name: string;
  address: string;
}

export interface MailHeader {
  /** As written in the file (case kept). */
  name: string;
  /** Unfolded, encoded-words decoded where the source parser does it. */
  value: string;
}

export interface ParsedAttachment {
  name: string;
  contentType: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  /** Absent when the attachment is larger than `maxAttachmentSize` (hashes and size are still exact). */
  content?: Uint8Array;
  isInline: boolean;
  contentId: string | null;
  /** Set when this attachment is itself a mail file and was parsed: index into the parent's `nested`. */
  nestedIndex?: number;
  /** A mail file found below `maxDepth`: kept as bytes, not parsed. */
  depthExceeded?: boolean;
  /** An attached mail file that could not be parsed (empty, no header, broken): what it was taken for and why it failed. */
  parseError?: { type: MailFileType; code: MailParseErrorCode; message: string };
}

export interface ParsedEvent {
  uid: string | null;
  summary: string;
  description: string;
  /** From X-ALT-DESC;FMTTYPE=text/html or a data: ALTREP on DESCRIPTION. */
  html: string;
  location: string;
  organizer: MailAddress | null;
  attendees: MailAddress[];
  /** ISO 8601 (date-only values stay YYYY-MM-DD); null when absent. */
  start: string | null;
  end: string | null;
  status: string | null;
  url: string | null;
}

export interface ParsedMail {
  type: MailFileType;
  /** The file name the caller gave (or the attachment name for nested results). */
  fileName: string;
  subject: string;
  /** The author: the first mailbox of From that has an address (else the first), never a name-only fragment when an address exists. */
  from: MailAddress | null;
  /** Every mailbox of the (first) From header, in order. */
  fromAll: MailAddress[];
  /** The Sender header's mailbox (who sent it on the author's behalf); null when absent. */
  sender: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  /** The date as the file states it (RFC 5322 Date header for .eml); '' when absent. */
  date: string;
  /** The same instant in ISO 8601, or null when absent or unreadable. */
  dateIso: string | null;
  text: string;
  html: string;
  headers: MailHeader[];
  attachments: ParsedAttachment[];
  nested: ParsedMail[];
  /** .ics only: one entry per VEVENT (and VTODO), in file order. */
  events?: ParsedEvent[];
  /** Things that were recovered from or skipped (bad nested file, depth limit...): never fatal. */
  warnings: string[];
}
