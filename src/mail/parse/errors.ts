export type MailParseErrorCode =
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'UNRECOGNISED'
  | 'MALFORMED'
  | 'LIMIT_EXCEEDED'
  /** Not a MailParseError: a reader failed in a way it does not name. */
  | 'UNEXPECTED';

/** A mail file that cannot be read. The message always names the file, so it can go to the user as is. */
export class MailParseError extends Error {
  override readonly name = 'MailParseError';
  readonly fileName: string;
  readonly code: MailParseErrorCode;

  constructor(fileName: string, code: MailParseErrorCode, reason: string, options?: { cause?: unknown }) {
    super(`Failed to parse "${fileName}": ${reason}`, options);
    this.fileName = fileName;
    this.code = code;
  }
}

/** Library errors can carry megabytes of context; keep only a short first line. */
export function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line || 'unknown error';
}
