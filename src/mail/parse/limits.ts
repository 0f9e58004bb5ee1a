/** Resource limits for parsing untrusted mail files. Every one is validated: a bad value is a TypeError. */
export interface ParseLimits {
  /** Largest input accepted, in bytes. */
  maxInputSize: number;
  /** How many levels of attached mail files are parsed (1 = the file itself only). */
  maxDepth: number;
  /** Most attachments (MIME leaf parts / .msg attachments / ICS ATTACH) over the whole tree. */
  maxParts: number;
  /** Attachments larger than this keep size and hashes but no `content`. */
  maxAttachmentSize: number;
  /** Largest header block of one MIME part, in bytes. */
  maxHeaderSize: number;
  /** Deepest multipart nesting inside one message. */
  maxMimeDepth: number;
  /** Total decoded bytes across the tree: the guard against nesting that multiplies content. */
  maxTotalSize: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxInputSize: 64 * MiB,
  maxDepth: 8,
  maxParts: 1000,
  maxAttachmentSize: 32 * MiB,
  maxHeaderSize: 1 * MiB,
  maxMimeDepth: 64,
  maxTotalSize: 256 * MiB,
});

const MINIMUM: Record<keyof ParseLimits, number> = {
  maxInputSize: 1,
  maxDepth: 1,
  maxParts: 0,
  maxAttachmentSize: 0,
  maxHeaderSize: 1024,
  maxMimeDepth: 1,
  maxTotalSize: 1,
};

export function resolveLimits(overrides: Partial<ParseLimits> | undefined): ParseLimits {
  const limits: ParseLimits = { ...DEFAULT_LIMITS };
  if (overrides === undefined) return limits;
  if (overrides === null || typeof overrides !== 'object') {
    throw new TypeError('limits must be an object');
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in MINIMUM)) throw new TypeError(`unknown limit "${key}"`);
    if (value === undefined) continue;
    const min = MINIMUM[key as keyof ParseLimits];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`limit ${key} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    limits[key as keyof ParseLimits] = value;
  }
  return limits;
}
