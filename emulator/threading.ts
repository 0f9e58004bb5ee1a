/**
 * How Exchange threads a message it sends: the `Thread-Index` header (Graph's conversationIndex,
 * MS-OXOMSG PidTagConversationIndex: a 22-byte header block of a new conversation, then 5 bytes
 * for each reply) and `References` (the parent's References followed by the parent's Message-ID,
 * RFC 5322 3.6.4), so every copy of a thread, in any mailbox, groups under one conversation.
 */
import { randomBytes } from 'node:crypto';

const FILETIME_EPOCH_MS = 11644473600000n;

function filetime(ms: number): bigint {
  return (BigInt(Math.floor(ms)) + FILETIME_EPOCH_MS) * 10000n;
}

/** A new conversation: reserved byte 1, the high 40 bits of the current FILETIME, a GUID. */
export function newThreadIndex(nowMs: number): string {
  const b = Buffer.alloc(22);
  b[0] = 1;
  const high = filetime(nowMs) >> 24n;
  for (let i = 0; i < 5; i += 1) b[1 + i] = Number((high >> BigInt(8 * (4 - i))) & 0xffn);
  randomBytes(16).copy(b, 6);
  return b.toString('base64');
}

/**
 * A reply: the parent's index plus one child block (code bit, 31 bits of the time since the
 * header block, 8 random bits). A parent without a well-formed index starts a new one.
 */
export function childThreadIndex(parent: string | null | undefined, nowMs: number): string {
  const p = typeof parent === 'string' && /^[A-Za-z0-9+/]+=*$/.test(parent) ? Buffer.from(parent, 'base64') : undefined;
  if (!p || p.length < 22 || (p.length - 22) % 5 !== 0) return newThreadIndex(nowMs);
  let high = 0n;
  for (let i = 0; i < 5; i += 1) high = (high << 8n) | BigInt(p[1 + i]);
  let delta = filetime(nowMs) - (high << 24n);
  if (delta < 0n) delta = 0n;
  const word = delta < 1n << 49n ? (delta >> 18n) & 0x7fffffffn : ((delta >> 23n) & 0x7fffffffn) | 0x80000000n;
  const child = Buffer.alloc(5);
  child.writeUInt32BE(Number(word), 0);
  child[4] = randomBytes(1)[0];
  return Buffer.concat([p, child]).toString('base64');
}

/** Message-ids of a References / In-Reply-To header value, in order. */
export function messageIdsOf(value: string | undefined): string[] {
  return value ? (value.match(/<[^<>\s]+>/g) ?? []) : [];
}

/** The References of a reply: the parent's chain, then the parent itself (no repeats). */
export function referencesFor(parentReferences: string | undefined, parentMessageId: string | undefined): string[] {
  const chain = messageIdsOf(parentReferences);
  if (parentMessageId && !chain.includes(parentMessageId)) chain.push(parentMessageId);
  return chain;
}
