import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Graph ids are opaque base64 strings whose prefix tells the entity type (`AAMk` for items in a
 * mailbox, `AQMk` for folders, `AAQk` for conversations). Clients must treat them as opaque and
 * URL-encode them (they may contain `-`, `_` and a trailing `=`), so ours have the same shape.
 */
const ITEM_PREFIX = 'AAMk';
const FOLDER_PREFIX = 'AQMk';
const CONVERSATION_PREFIX = 'AAQk';

// One getrandom call per 64 KiB instead of one per id: seeding a 10,000-mailbox tenant makes
// ~200,000 ids, and a syscall each was the emulator's biggest cost.
const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;

function random(bytes: number): Buffer {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + bytes);
  poolAt += bytes;
  return out;
}

function body(bytes: number): string {
  return random(bytes).toString('base64url');
}

export function newMessageId(): string {
  return `${ITEM_PREFIX}${body(45)}AAA=`;
}

export function newAttachmentId(): string {
  return `${ITEM_PREFIX}${body(51)}BEgAQ=`;
}

export function newFolderId(): string {
  return `${FOLDER_PREFIX}${body(33)}AAA=`;
}

export function conversationIdFor(mailboxId: string, key: string): string {
  const digest = createHash('sha256').update(`${mailboxId}\0${key}`).digest('base64url');
  return `${CONVERSATION_PREFIX}${digest}=`;
}

export function newGuid(): string {
  return randomUUID();
}

export function newChangeKey(): string {
  return `CQAAABYAAA${random(12).toString('base64url')}`;
}

const ITEM_ID = /^AAMk[A-Za-z0-9_-]{16,}=*$/;
const FOLDER_ID = /^AQMk[A-Za-z0-9_-]{16,}=*$/;

/** A string that could be an item id (message or attachment). Anything else is "malformed". */
export function looksLikeItemId(id: string): boolean {
  return ITEM_ID.test(id);
}

export function looksLikeFolderId(id: string): boolean {
  return FOLDER_ID.test(id);
}
