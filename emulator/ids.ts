import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Exchange ids, built the way Exchange Online builds them, so clients meet every shape they will
 * meet on Graph and learn to treat ids as opaque.
 *
 * A REST id (`restId`) is URL-safe base64, with padding, of an EWS id: a header (compression,
 * storage type 3 = item of a mailbox named by its GUID), the mailbox GUID as ASCII, a processing
 * byte, the length of the MAPI entry id and the entry id itself (flags, store key, type
 * 0x0001 folder / 0x0007 message, replica GUID + 6-byte counter of the folder, and for a message
 * those of the item). Hence `AAMkAD...`/`AAMkAG...` for messages and folders alike, 152
 * characters for a message and 120 for a folder, the `AAA=` tail, and a new id when a message
 * moves (its folder part and counter change). Exchange also answers some folder ids compressed
 * (first byte 1, then a run-length code: a repeated byte twice, then how many more), which is
 * the `AQMk...` shape; both forms of a folder resolve.
 *
 * An immutable id (`restImmutableEntryId`, `Prefer: IdType="ImmutableId"`) wraps a 46-byte
 * immutable entry id instead (`AAkALgAA...`, as outlook-immutable-id.md shows; 68 characters): it
 * names the item in its mailbox and survives moves. An attachment id is its message's id (REST or
 * immutable) followed by the attachment's own key, so a REST attachment id changes with its
 * message's and an immutable one does not. Conversation ids use storage type 4 (`AAQk...`).
 *
 * Facts from concepts/outlook-immutable-id.md and api-reference/v1.0/api/user-translateexchangeids.md;
 * byte layouts from ids in the Graph documentation (message-get, mailfolder-get, message-move
 * examples), decoded. The folder counters of Inbox (0x10c) and Deleted Items (0x10a) are the
 * ones those examples show; the other well-known counters are made up in the same range.
 */

export type IdType = 'rest' | 'immutable';

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

export function newGuid(): string {
  return randomUUID();
}

export function newChangeKey(): string {
  return `CQAAABYAAA${random(12).toString('base64url')}`;
}

/** URL-safe base64 with the `=` padding Exchange keeps. */
function b64(buf: Buffer): string {
  return buf.toString('base64url') + '='.repeat((3 - (buf.length % 3)) % 3);
}

function fromB64(id: string): Buffer {
  return Buffer.from(id.replace(/=+$/, ''), 'base64url');
}

const STORAGE_ITEM = 0x03;
const STORAGE_CONVERSATION = 0x04;
const STORAGE_IMMUTABLE = 0x09;
const TYPE_FOLDER = 0x0001;
const TYPE_MESSAGE = 0x0007;
const FOLDER_ENTRY_BYTES = 46;
const MESSAGE_ENTRY_BYTES = 70;
const IMMUTABLE_ENTRY_BYTES = 46;
/** The provider key of immutable entry ids (as in public immutable ids, decoded). */
const IMMUTABLE_PROVIDER = Buffer.from('1d840311aa6611cd9bc800aa002f845a', 'hex');
const IMMUTABLE_ITEM = 0x000d;
const IMMUTABLE_FOLDER = 0x0001;
/** After an item id: a marker, the length of what follows, and the attachment key's length. */
const ATTACHMENT_TAIL = Buffer.from([0x01, 0x12, 0x00, 0x10, 0x00]);
const ATTACHMENT_KEY_BYTES = 16;

/** Global counters (GLOBCNT) of well-known folders. */
const WELL_KNOWN_COUNTERS: Record<string, number> = {
  mailboxroot: 0x101,
  msgfolderroot: 0x108,
  sentitems: 0x109,
  deleteditems: 0x10a,
  outbox: 0x10b,
  inbox: 0x10c,
  drafts: 0x10f,
  recoverableitemsroot: 0x119,
  recoverableitemsdeletions: 0x11a,
  recoverableitemspurges: 0x11c,
  junkemail: 0x123,
  conversationhistory: 0x12b,
  archive: 0x137,
  scheduled: 0x13f,
};

function guidBytes(guid: string): Buffer {
  return Buffer.from(guid.replace(/-/g, ''), 'hex');
}

function writeCounter(buf: Buffer, at: number, counter: number): void {
  buf.writeUIntBE(counter, at, 6);
}

/** The run-length code of compressed ids: a repeated byte is written twice, then how many more follow. */
function compress(bytes: Buffer, marker = 0x01): Buffer {
  // Worst case: every byte a pair, 3 bytes out per 2 in.
  const out = Buffer.allocUnsafe(1 + Math.ceil((bytes.length * 3) / 2));
  out[0] = marker;
  let o = 1;
  for (let i = 0; i < bytes.length; ) {
    let run = 1;
    while (i + run < bytes.length && bytes[i + run] === bytes[i] && run < 257) run += 1;
    out[o++] = bytes[i];
    if (run > 1) {
      out[o++] = bytes[i];
      out[o++] = run - 2;
    }
    i += run;
  }
  return out.subarray(0, o);
}

function decompress(bytes: Buffer): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (i + 1 < bytes.length && bytes[i + 1] === b) {
      if (i + 2 >= bytes.length) return undefined;
      for (let n = 0; n < bytes[i + 2] + 2; n += 1) out.push(b);
      i += 3;
    } else {
      out.push(b);
      i += 1;
    }
  }
  return Buffer.from(out);
}

/** `header + mailbox GUID + processing byte + entry-id length` of one mailbox's REST ids. */
function restHeader(moniker: string, entryBytes: number): Buffer {
  const head = Buffer.alloc(4 + moniker.length + 3);
  head[0] = 0x00;
  head[1] = STORAGE_ITEM;
  head.writeUInt16LE(moniker.length, 2);
  head.write(moniker, 4, 'latin1');
  head[4 + moniker.length] = 0x00;
  head.writeUInt16LE(entryBytes, 5 + moniker.length);
  return head;
}

function immutableId(entry: Buffer): string {
  const head = Buffer.from([0x00, STORAGE_IMMUTABLE, 0x00, 0x00, 0x00]);
  head.writeUInt16LE(entry.length, 3);
  return b64(Buffer.concat([head, entry]));
}

/**
 * The ids of one mailbox: its GUID (the moniker in every REST id), store key and replica GUID,
 * and the counters that number its folders and items.
 */
export class MailboxIds {
  readonly moniker = newGuid();
  private readonly storeKey = Buffer.from(random(16));
  // Its last byte is never 0, so a compressed prefix never runs into the counter's leading zeros.
  private readonly replica = Buffer.from(random(16)).fill(1, 15, 16);
  private readonly mailboxGuid = guidBytes(this.moniker);
  private readonly folderHead = restHeader(this.moniker, FOLDER_ENTRY_BYTES);
  private readonly messageHead = restHeader(this.moniker, MESSAGE_ENTRY_BYTES);
  // Every folder and message id of the mailbox starts with the same 81 bytes (header, flags,
  // store key, type, replica): a multiple of 3, so their base64 is a constant prefix and only
  // the counters are encoded per id. Seeding 10,000 mailboxes makes 150,000 folder ids.
  private readonly folderPrefix = this.entryPrefix(this.folderHead, TYPE_FOLDER);
  private readonly folderPrefix64 = b64(this.folderPrefix);
  private readonly folderPrefixCompressed = compress(this.folderPrefix.subarray(1), 0x01);
  private readonly messagePrefix64 = b64(this.entryPrefix(this.messageHead, TYPE_MESSAGE));
  private nextFolder = 0x4000;
  private nextItem = 0x1000000 + random(3).readUIntBE(0, 3);

  /** A new folder counter, or the fixed one of a well-known folder. */
  folderCounter(wellKnownName?: string): number {
    const known = wellKnownName === undefined ? undefined : WELL_KNOWN_COUNTERS[wellKnownName];
    if (known !== undefined) return known;
    this.nextFolder += 1;
    return this.nextFolder;
  }

  itemCounter(): number {
    this.nextItem += 1;
    return this.nextItem;
  }

  /** Header, then the entry id up to its first counter. */
  private entryPrefix(head: Buffer, type: number): Buffer {
    const bytes = Buffer.alloc(head.length + 38);
    head.copy(bytes, 0);
    const e = head.length;
    this.storeKey.copy(bytes, e + 4);
    bytes.writeUInt16LE(type, e + 20);
    this.replica.copy(bytes, e + 22);
    return bytes;
  }

  /** A folder's REST id; `compressed` gives the `AQMk` form Exchange answers for some folders. */
  folderId(counter: number, compressed = false): string {
    const forms = this.folderIdForms(counter);
    return compressed ? forms.compressed : forms.plain;
  }

  /** Both forms of a folder's REST id. */
  folderIdForms(counter: number): { plain: string; compressed: string } {
    const tail = Buffer.alloc(8);
    writeCounter(tail, 0, counter);
    const compressedTail = compress(tail).subarray(1);
    return { plain: this.folderPrefix64 + b64(tail), compressed: b64(Buffer.concat([this.folderPrefixCompressed, compressedTail])) };
  }

  /** A message's REST id: where it is (its folder's counter) and which item it is there. */
  messageId(folderCounter: number, itemCounter: number): string {
    const tail = Buffer.alloc(32);
    writeCounter(tail, 0, folderCounter);
    this.replica.copy(tail, 8);
    writeCounter(tail, 24, itemCounter);
    return this.messagePrefix64 + b64(tail);
  }

  immutableId(kind: 'item' | 'folder', counter: number): string {
    const e = Buffer.alloc(IMMUTABLE_ENTRY_BYTES);
    IMMUTABLE_PROVIDER.copy(e, 4);
    e.writeUInt16LE(kind === 'item' ? IMMUTABLE_ITEM : IMMUTABLE_FOLDER, 20);
    this.mailboxGuid.copy(e, 22);
    writeCounter(e, 38, counter);
    return immutableId(e);
  }

  /** The same for every message of one conversation in this mailbox. */
  conversationId(key: string): string {
    const head = restHeader(this.moniker, 16);
    head[1] = STORAGE_CONVERSATION;
    const digest = createHash('sha256').update(`${this.moniker}\0${key}`).digest().subarray(0, 16);
    return b64(Buffer.concat([head, digest]));
  }

  /** The REST id of a MAPI entry id of this mailbox (translateExchangeIds from `entryId`). */
  restIdFromEntry(entry: Buffer): string | undefined {
    if (entry.length === FOLDER_ENTRY_BYTES) return b64(Buffer.concat([this.folderHead, entry]));
    if (entry.length === MESSAGE_ENTRY_BYTES) return b64(Buffer.concat([this.messageHead, entry]));
    return undefined;
  }
}

export function newAttachmentKey(): Buffer {
  return Buffer.from(random(ATTACHMENT_KEY_BYTES));
}

/** An attachment's id under its message's id (REST or immutable). */
export function attachmentId(messageId: string, key: Buffer): string {
  return b64(Buffer.concat([fromB64(messageId), ATTACHMENT_TAIL, key]));
}

/** Every prefix an Exchange item or folder id of a mailbox has on Graph. */
const ID_SHAPE = /^(AAMk|AQMk|AAkA)[A-Za-z0-9_-]{16,}=*$/;

/** A string that could be an item id (message or attachment). Anything else is "malformed". */
export function looksLikeItemId(id: string): boolean {
  return ID_SHAPE.test(id);
}

export function looksLikeFolderId(id: string): boolean {
  return ID_SHAPE.test(id);
}

export function isImmutableId(id: string): boolean {
  return id.startsWith('AAkA');
}

/**
 * The key an id is stored under: a compressed id (`AQMk`) in its uncompressed form, anything
 * else as it is. Ids that do not decode stay as they are (and simply match nothing).
 */
export function idKey(id: string): string {
  if (!id.startsWith('AQMk')) return id;
  const bytes = fromB64(id);
  const rest = decompress(bytes.subarray(1));
  return rest ? b64(Buffer.concat([Buffer.from([0x00]), rest])) : id;
}

// ---- translateExchangeIds formats ----------------------------------------------------------

/** The MAPI entry id inside a REST id (compressed or not), if it has one. */
export function entryOfRestId(id: string): Buffer | undefined {
  const bytes = fromB64(idKey(id));
  if (bytes.length < 7 || bytes[0] !== 0x00 || bytes[1] !== STORAGE_ITEM) return undefined;
  const moniker = bytes.readUInt16LE(2);
  const at = 4 + moniker + 1;
  if (bytes.length < at + 2) return undefined;
  const length = bytes.readUInt16LE(at);
  const entry = bytes.subarray(at + 2);
  return entry.length === length ? entry : undefined;
}

/** The immutable entry id inside an immutable REST id. */
export function entryOfImmutableId(id: string): Buffer | undefined {
  const bytes = fromB64(id);
  if (bytes.length < 5 || bytes[0] !== 0x00 || bytes[1] !== STORAGE_IMMUTABLE) return undefined;
  const entry = bytes.subarray(5);
  return entry.length === bytes.readUInt16LE(3) ? entry : undefined;
}

export function immutableIdFromEntry(entry: Buffer): string | undefined {
  return entry.length === IMMUTABLE_ENTRY_BYTES ? immutableId(entry) : undefined;
}

/**
 * The binary formats (`entryId`, `immutableEntryId`) as user-translateexchangeids.md encodes
 * them: URL-safe base64 without padding, then the number of padding characters dropped.
 */
export function encodeEntryId(entry: Buffer): string {
  const plain = entry.toString('base64');
  const padding = plain.length - plain.replace(/=+$/, '').length;
  return `${entry.toString('base64url')}${padding}`;
}

export function decodeEntryId(text: string): Buffer | undefined {
  const m = /^([A-Za-z0-9_-]+)([012])$/.exec(text);
  if (!m) return undefined;
  const bytes = Buffer.from(m[1], 'base64url');
  return encodeEntryId(bytes) === text ? bytes : undefined;
}

/** An EWS id is the same bytes as a REST id in standard base64. */
export function ewsIdOf(restId: string): string {
  return fromB64(restId).toString('base64');
}

export function restIdOfEws(ewsId: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(ewsId)) return undefined;
  return b64(Buffer.from(ewsId, 'base64'));
}
