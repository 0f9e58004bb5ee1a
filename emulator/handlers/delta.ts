/**
 * `GET /users/{id}/mailFolders/{id}/messages/delta` (message-delta.md, delta-query-messages.md,
 * delta-query-overview.md): rounds of change tracking over one folder.
 *
 * Round state lives in the tokens. A `$skiptoken` carries where the round started in the store's
 * change log (Store.changeSequence), what it started from, the query options of the first
 * request, and a cursor: the sort key of the last entry served. A `$deltatoken` carries the
 * sequence the round started at, so the next round reports every change stamped after it: a
 * message created, copied or moved into the folder, changed there, or (as a tombstone) moved out,
 * deleted or purged. A change made while a round is being paged falls after the round's start and
 * is reported by the next round, never lost. Tokens are signed, so a client cannot forge or edit one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EmulatorError, graphErrors } from '../errors.ts';
import { compileMessageQuery } from '../odata/index.ts';
import { parseTop } from '../paging.ts';
import { json } from '../state.ts';
import type { FolderRecord, MessageRecord, Store, UserRecord } from '../store.ts';
import { collectionUrl, contextUrl, idTypeOf, mailboxOf, type Handler, type HandlerContext } from './common.ts';
import { defaultView, MESSAGE_PAGE_DEFAULT, MESSAGE_PAGE_MAX } from './messages.ts';

/** The query options a round keeps (delta-query-overview.md: "encoded into the token"). */
interface RoundOptions {
  select?: string;
  filter?: string;
  /** `$orderby=receivedDateTime desc`, the one order delta supports. */
  desc?: true;
  top?: number;
  changeType?: 'created' | 'updated' | 'deleted';
}

interface TokenState {
  /** The tenant (Store.tenantEpoch): a reset makes every older token stale. */
  ep: number;
  mb: string;
  f: string;
  /** Report changes stamped after this sequence; 0 in the first round (the folder's whole content). */
  since: number;
  /** Skip tokens only: the sequence the round started at, and the last key served. */
  start?: number;
  cur?: number[];
  first?: true;
  o: RoundOptions;
}

const ROUND_OPTIONS = ['$select', '$filter', '$orderby', '$top', 'changeType'];
const CHANGE_TYPES = ['created', 'updated', 'deleted'] as const;
const FILTER = /^\s*receivedDateTime\s+(ge|gt)\s+('?)([0-9T:.+\-Z]+)\2\s*$/i;

/** Signs tokens; a new emulator process has a new key, so its predecessor's tokens are refused. */
const KEY = randomBytes(32);

function sign(body: string): string {
  return createHmac('sha256', KEY).update(body).digest('base64url').slice(0, 22);
}

function encodeToken(state: TokenState): string {
  const body = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${body}.${sign(body)}`;
}

/**
 * 410 Gone (delta-query-overview.md, "Synchronization reset": 410 and a Location header with the
 * initial query; "Token duration": an expired token gets a 40X with a code such as syncStateNotFound).
 * Exchange's spelling of the codes is SyncStateNotFound / SyncStateInvalid.
 */
function gone(ctx: HandlerContext, code: 'SyncStateNotFound' | 'SyncStateInvalid', message: string): EmulatorError {
  return new EmulatorError(410, code, message, { Location: collectionUrl(ctx) });
}

function decodeToken(ctx: HandlerContext, token: string): TokenState {
  const invalid = () => gone(ctx, 'SyncStateInvalid', 'The sync state is invalid. Synchronize the folder again from the start.');
  const dot = token.lastIndexOf('.');
  if (dot <= 0) throw invalid();
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(sign(body));
  if (mac.length !== want.length || !timingSafeEqual(mac, want)) throw invalid();
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenState;
  } catch {
    throw invalid();
  }
}

/** The options of a round's first request, checked as delta-query-messages.md limits them. */
function roundOptions(query: URLSearchParams): RoundOptions {
  const o: RoundOptions = {};
  const select = query.get('$select');
  if (select !== null && select.trim() !== '') {
    compileMessageQuery({ select });
    o.select = select;
  }
  const filter = query.get('$filter');
  if (filter !== null && filter.trim() !== '') {
    const m = FILTER.exec(filter);
    if (!m || Number.isNaN(Date.parse(m[3]))) {
      throw new EmulatorError(400, 'ErrorInvalidUrlQuery', 'The only $filter supported by message delta is receivedDateTime ge {value} or receivedDateTime gt {value}.');
    }
    compileMessageQuery({ filter: `receivedDateTime ${m[1].toLowerCase()} ${m[3]}` });
    o.filter = `receivedDateTime ${m[1].toLowerCase()} ${m[3]}`;
  }
  const orderby = query.get('$orderby');
  if (orderby !== null) {
    if (!/^\s*receivedDateTime\s+desc\s*$/i.test(orderby)) {
      throw new EmulatorError(400, 'ErrorInvalidUrlQuery', 'The only $orderby supported by message delta is receivedDateTime desc.');
    }
    o.desc = true;
  }
  const top = query.get('$top');
  if (top !== null) o.top = parseTop(top, MESSAGE_PAGE_DEFAULT, MESSAGE_PAGE_MAX);
  const changeType = query.get('changeType');
  if (changeType !== null) {
    const hit = CHANGE_TYPES.find((c) => c === changeType.toLowerCase());
    if (!hit) throw graphErrors.badRequest(`Invalid value '${changeType}' for query option 'changeType': expected created, updated or deleted.`);
    o.changeType = hit;
  }
  return o;
}

/** `Prefer: odata.maxpagesize=N`, capped at the list routes' maximum; the default page otherwise. */
function pageSizeOf(ctx: HandlerContext, o: RoundOptions): number {
  let size = MESSAGE_PAGE_DEFAULT;
  for (const preference of (ctx.req.headers.prefer ?? '').split(',')) {
    const [name, value = ''] = preference.split(';')[0].split('=');
    if (name.trim().toLowerCase() !== 'odata.maxpagesize') continue;
    const n = Number(value.trim().replace(/^"|"$/g, ''));
    if (Number.isInteger(n) && n > 0) size = Math.min(n, MESSAGE_PAGE_MAX);
  }
  return o.top === undefined ? size : Math.min(size, o.top);
}

interface Entry {
  key: number[];
  render: () => Record<string, unknown>;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Everything the round reports, in its order: without $orderby, change-log order (removals where they happened). */
function entriesOf(ctx: HandlerContext, store: Store, mailbox: UserRecord, folder: FolderRecord, state: TokenState, start: number): Entry[] {
  const o = state.o;
  const idType = idTypeOf(ctx.req);
  const query = compileMessageQuery({ filter: o.filter, select: o.select });
  const out: Entry[] = [];
  const shown = new Set<string>();
  const wantMessages = state.first === true || o.changeType === undefined || o.changeType !== 'deleted';
  if (wantMessages) {
    for (const m of store.messagesOf(mailbox, folder)) {
      if (m.changed > start || m.changed <= state.since) continue;
      if (state.first !== true && !changeTypeMatches(m, state)) continue;
      const r = store.messageResource(m, idType);
      if (!query.matches(r)) continue;
      shown.add(m.immutableId);
      const key = o.desc ? [1, -Date.parse(String(r.receivedDateTime)), -m.seq] : [m.changed];
      out.push({ key, render: () => ({ '@odata.type': '#microsoft.graph.message', ...(o.select ? query.project(r) : defaultView(r)) }) });
    }
  }
  if (state.first !== true && (o.changeType === undefined || o.changeType === 'deleted')) {
    const latest = new Map<string, { seq: number; id: string }>();
    for (const t of store.tombstonesOf(folder)) {
      if (t.seq <= state.since || t.seq > start) continue;
      // With immutable ids a message that left and came back is one id: its current state says it all.
      if (idType === 'immutable' && shown.has(t.immutableId)) continue;
      const id = idType === 'immutable' ? t.immutableId : t.id;
      latest.set(id, { seq: t.seq, id });
    }
    for (const t of latest.values()) {
      out.push({ key: o.desc ? [0, t.seq] : [t.seq], render: () => ({ '@odata.type': '#microsoft.graph.message', id: t.id, '@removed': { reason: 'deleted' } }) });
    }
  }
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

function changeTypeMatches(m: MessageRecord, state: TokenState): boolean {
  if (state.o.changeType === 'created') return m.arrived > state.since;
  if (state.o.changeType === 'updated') return m.arrived <= state.since;
  return true;
}

export const messageDelta: Handler = (ctx) => {
  const store = ctx.state.store;
  const mailbox = mailboxOf(ctx);
  const folder = store.folder(mailbox, ctx.params.folder);
  const q = ctx.req.query;
  const skip = q.get('$skiptoken');
  const delta = q.get('$deltatoken');
  if (skip !== null && delta !== null) throw graphErrors.badRequest('A request carries either a $skiptoken or a $deltatoken, not both.');
  let state: TokenState;
  let start: number;
  const token = skip ?? delta;
  if (token === null) {
    state = { ep: store.tenantEpoch(), mb: mailbox.id, f: folder.id, since: 0, first: true, o: roundOptions(q) };
    start = store.changeSequence();
  } else {
    const extra = ROUND_OPTIONS.find((name) => q.has(name));
    if (extra) throw graphErrors.badRequest(`The query option '${extra}' is kept by the state token: send the nextLink or deltaLink as it came.`);
    state = decodeToken(ctx, token);
    if (state.mb !== mailbox.id || state.f !== folder.id) {
      throw gone(ctx, 'SyncStateInvalid', 'The sync state belongs to another folder. Synchronize this folder from the start.');
    }
    if (state.ep !== store.tenantEpoch() || state.since > store.changeSequence()) {
      throw gone(ctx, 'SyncStateNotFound', 'The sync state generation is not found. Synchronize the folder again from the start.');
    }
    if (skip !== null && state.start === undefined) throw gone(ctx, 'SyncStateInvalid', 'The $skiptoken is not a skip token.');
    if (delta !== null && state.start !== undefined) throw gone(ctx, 'SyncStateInvalid', 'The $deltatoken is not a delta token.');
    start = state.start ?? store.changeSequence();
  }
  const size = pageSizeOf(ctx, state.o);
  const cursor = state.cur;
  const pending = entriesOf(ctx, store, mailbox, folder, state, start).filter((e) => cursor === undefined || compareKeys(e.key, cursor) > 0);
  const page = pending.slice(0, size);
  const base = {
    ep: state.ep,
    mb: state.mb,
    f: state.f,
    o: state.o,
  };
  const link =
    pending.length > size
      ? { '@odata.nextLink': `${collectionUrl(ctx)}?$skiptoken=${encodeToken({ ...base, since: state.since, start, cur: page[page.length - 1].key, ...(state.first ? { first: true } : {}) })}` }
      : { '@odata.deltaLink': `${collectionUrl(ctx)}?$deltatoken=${encodeToken({ ...base, since: start })}` };
  return json(200, {
    '@odata.context': contextUrl(ctx, 'Collection(message)'),
    value: page.map((e) => e.render()),
    ...link,
  });
};
