/**
 * The admin API (CONTRACT.md §5) under /_emulator: no auth, loopback callers only. It is how
 * tests and demos shape the tenant; it never goes through the Graph pipeline (no faults,
 * throttling or request log).
 */
import type { IncomingMessage } from 'node:http';
import { EmulatorError, graphErrors } from './errors.ts';
import { gcsStoreOf } from './gcs/index.ts';
import { mailFlowOf } from './mail-flow.ts';
import { renderError } from './graph-errors-render.ts';
import { newGuid } from './ids.ts';
import { isSeed } from './random.ts';
import { seedDemo } from './seed-demo.ts';
import { json, noContent, type EmulatorState, type GraphResponse, type Settings } from './state.ts';

export interface AdminRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function body(req: AdminRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw graphErrors.badRequest('The admin API expects a JSON object body.');
  }
}

export async function resetTenant(state: EmulatorState, seed: 'demo' | 'empty'): Promise<void> {
  state.store.reset();
  gcsStoreOf(state).reset();
  mailFlowOf(state).reset();
  state.throttler.reset();
  if (seed === 'demo') {
    await seedDemo(state.store, { domain: state.tenant.tenantDomain, now: state.now() });
  } else {
    state.store.addUser({ userPrincipalName: state.tenant.defaultMailbox, displayName: 'SOC Mailbox' });
  }
}

export async function handleAdmin(state: EmulatorState, req: AdminRequest): Promise<GraphResponse> {
  const ids = { requestId: newGuid(), clientRequestId: req.headers['client-request-id'] || newGuid() };
  try {
    if (!req.remoteAddress || !LOOPBACK.has(req.remoteAddress)) {
      throw new EmulatorError(403, 'Forbidden', 'The emulator admin API only answers loopback callers.');
    }
    return await route(state, req);
  } catch (err) {
    return renderError(err, ids, state.now());
  }
}

const MAX_ATTACHMENT_BYTES = 1024 * 1024 * 1024;
const ATTACHMENT_ROUTE = /^\/_emulator\/users\/([^/]+)\/messages\/([^/]+)\/attachments\/?$/;

/**
 * `POST /_emulator/users/{upn}/messages/{id}/attachments?name=..&contentType=..[&kind=file|item|reference][&sourceUrl=..][&isInline=true]`,
 * raw body: attaches the bytes to a stored message. Served before the pipeline buffers request
 * bodies: the body goes straight into one buffer of its announced length, so a 100 MB
 * attachment costs the emulator 100 MB, not a chunk list plus a copy (or a base64 MIME parse).
 * Returns undefined for every other request, which then takes the usual way.
 */
export async function handleAdminUpload(state: EmulatorState, req: IncomingMessage, url: URL): Promise<GraphResponse | undefined> {
  if ((req.method ?? '').toUpperCase() !== 'POST') return undefined;
  const m = ATTACHMENT_ROUTE.exec(url.pathname);
  if (!m) return undefined;
  const ids = { requestId: newGuid(), clientRequestId: newGuid() };
  try {
    if (!req.socket.remoteAddress || !LOOPBACK.has(req.socket.remoteAddress)) {
      throw new EmulatorError(403, 'Forbidden', 'The emulator admin API only answers loopback callers.');
    }
    const mailbox = state.store.mailbox(decodeURIComponent(m[1]));
    const message = state.store.message(mailbox, decodeURIComponent(m[2]));
    const q = url.searchParams;
    const name = q.get('name');
    if (!name) throw graphErrors.badRequest('Query must name the attachment: ?name=file.bin[&contentType=...]');
    const kind = q.get('kind') ?? 'file';
    if (kind !== 'file' && kind !== 'item' && kind !== 'reference') throw graphErrors.badRequest(`Unknown kind '${kind}': use "file", "item" or "reference".`);
    const sourceUrl = q.get('sourceUrl') ?? undefined;
    if (kind === 'reference' && !sourceUrl) throw graphErrors.badRequest('A reference attachment needs ?sourceUrl=https://... (the link to the cloud file).');
    // A reference attachment is only a link: any body is ignored.
    const content = kind === 'reference' ? (req.resume(), Buffer.alloc(0)) : await readBodyInto(req);
    const a = await state.store.addAttachment(message, {
      kind,
      name,
      contentType: q.get('contentType') ?? (kind === 'item' ? 'message/rfc822' : kind === 'reference' ? '' : 'application/octet-stream'),
      content,
      isInline: q.get('isInline') === 'true',
      sourceUrl,
    });
    return json(201, { id: a.id, name: a.name, size: a.size, kind: a.kind });
  } catch (err) {
    req.resume();
    return renderError(err, ids, state.now());
  }
}

async function readBodyInto(req: IncomingMessage): Promise<Buffer> {
  const announced = Number(req.headers['content-length']);
  if (Number.isSafeInteger(announced) && announced >= 0) {
    if (announced > MAX_ATTACHMENT_BYTES) throw new EmulatorError(413, 'RequestEntityTooLarge', 'The attachment is too large.');
    const out = Buffer.allocUnsafe(announced);
    let at = 0;
    for await (const chunk of req) {
      const c = chunk as Buffer;
      if (at + c.length > announced) throw graphErrors.badRequest('The body is longer than its Content-Length.');
      c.copy(out, at);
      at += c.length;
    }
    if (at !== announced) throw graphErrors.badRequest('The body is shorter than its Content-Length.');
    return out;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ATTACHMENT_BYTES) throw new EmulatorError(413, 'RequestEntityTooLarge', 'The attachment is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

type AdminHandler = (state: EmulatorState, req: AdminRequest, params: Record<string, string>) => Promise<GraphResponse> | GraphResponse;

interface AdminRoute {
  method: string;
  /** Segments after `/_emulator`; `:name` captures one segment, literals match exactly. */
  pattern: string[];
  handler: AdminHandler;
}

async function reset(state: EmulatorState, req: AdminRequest): Promise<GraphResponse> {
  const seed = body(req).seed ?? 'demo';
  if (seed !== 'demo' && seed !== 'empty') throw graphErrors.badRequest(`Unknown seed '${String(seed)}': use "demo" or "empty".`);
  await resetTenant(state, seed);
  return json(200, { seed, mailboxes: state.store.mailboxAddresses(), defaultMailbox: state.tenant.defaultMailbox });
}

function getInfo(state: EmulatorState): GraphResponse {
  // The secret stays out of this answer; it is printed once at start.
  const { clientSecret: _secret, ...info } = infoOf(state);
  return json(200, info);
}

function addUser(state: EmulatorState, req: AdminRequest): GraphResponse {
  const b = body(req);
  if (b.proxyAddresses !== undefined && (!Array.isArray(b.proxyAddresses) || !b.proxyAddresses.every((x) => typeof x === 'string'))) {
    throw graphErrors.badRequest('"proxyAddresses" must be a list of addresses: ["alias@contoso.example", "smtp:alias@contoso.example"].');
  }
  const user = state.store.addUser({
    userPrincipalName: String(b.userPrincipalName ?? ''),
    displayName: typeof b.displayName === 'string' ? b.displayName : undefined,
    givenName: typeof b.givenName === 'string' ? b.givenName : undefined,
    surname: typeof b.surname === 'string' ? b.surname : undefined,
    jobTitle: typeof b.jobTitle === 'string' ? b.jobTitle : undefined,
    mailbox: b.mailbox !== false,
    language: typeof b.language === 'string' ? b.language : undefined,
    proxyAddresses: b.proxyAddresses as string[] | undefined,
  });
  return json(201, { id: user.id, userPrincipalName: user.userPrincipalName, proxyAddresses: [...user.proxyAddresses] });
}

/**
 * `{"displayName", "mail"?, "proxyAddresses"?, "securityEnabled"?, "members": ["upn, address or id of a user or group", ...]}`:
 * a distribution list (or, without mail, a security group that only nests).
 */
function addGroup(state: EmulatorState, req: AdminRequest): GraphResponse {
  const b = body(req);
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof b.displayName !== 'string' || (b.mail !== undefined && typeof b.mail !== 'string')) {
    throw graphErrors.badRequest('Body must be {"displayName": "SOC Team", "mail": "soc-team@contoso.example", "members": ["dana@contoso.example"]}.');
  }
  if (b.proxyAddresses !== undefined && !strings(b.proxyAddresses)) {
    throw graphErrors.badRequest('"proxyAddresses" must be a list of addresses: ["alias@contoso.example", "smtp:alias@contoso.example"].');
  }
  if (b.members !== undefined && !strings(b.members)) throw graphErrors.badRequest('"members" must be a list of user principal names, group addresses or object ids.');
  if (b.securityEnabled !== undefined && typeof b.securityEnabled !== 'boolean') throw graphErrors.badRequest('"securityEnabled" must be a boolean.');
  const store = state.store;
  const memberIds = ((b.members as string[] | undefined) ?? []).map((name) => {
    const member = store.findUser(name) ?? store.findByAddress(name) ?? store.findGroup(name) ?? store.findGroupByAddress(name);
    if (!member) throw graphErrors.badRequest(`Unknown member '${name}': no user or group has that userPrincipalName, address or id.`);
    return member.id;
  });
  const group = store.addGroup({
    displayName: b.displayName,
    mail: b.mail as string | undefined,
    proxyAddresses: b.proxyAddresses as string[] | undefined,
    securityEnabled: b.securityEnabled as boolean | undefined,
    memberIds,
  });
  return json(201, { id: group.id, mail: group.mail, proxyAddresses: [...group.proxyAddresses] });
}

function addFolder(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const mailbox = state.store.mailbox(upn);
  const path = body(req).path;
  if (typeof path !== 'string') throw graphErrors.badRequest('Body must be {"path": "Inbox/Sub/Folder"}.');
  const folder = state.store.folderByPath(mailbox, path, true);
  return json(201, { id: folder.id, displayName: folder.displayName, parentFolderId: folder.parentId });
}

async function addMessage(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): Promise<GraphResponse> {
  const store = state.store;
  const mailbox = store.mailbox(upn);
  if (req.body.length === 0) throw graphErrors.badRequest('Body must be the raw RFC 822 message.');
  const folder = store.folderByPath(mailbox, req.query.get('folder') ?? 'Inbox', true);
  const isRead = req.query.get('isRead');
  const message = await store.addMessage(mailbox, folder, req.body, {
    isRead: isRead === 'true',
    receivedDateTime: req.query.get('receivedDateTime') ?? undefined,
  });
  return json(201, { id: message.id, internetMessageId: message.fields.internetMessageId ?? null, parentFolderId: message.folderId });
}

function putPresence(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const user = state.store.findUser(upn);
  if (!user) throw graphErrors.userNotFound(upn);
  const b = body(req);
  if (typeof b.availability === 'string') user.presence.availability = b.availability;
  if (typeof b.activity === 'string') user.presence.activity = b.activity;
  if ('statusMessage' in b) user.presence.statusMessage = b.statusMessage;
  const oof = b.outOfOfficeSettings as Record<string, unknown> | undefined;
  if (oof && typeof oof === 'object') {
    if (typeof oof.isOutOfOffice === 'boolean') user.presence.outOfOfficeSettings.isOutOfOffice = oof.isOutOfOffice;
    if (typeof oof.message === 'string' || oof.message === null) user.presence.outOfOfficeSettings.message = oof.message as string | null;
  }
  return json(200, { ...user.presence });
}

function putMailboxSettings(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const user = state.store.mailbox(upn);
  const b = body(req);
  for (const [k, v] of Object.entries(b)) {
    const current = user.mailboxSettings[k];
    user.mailboxSettings[k] =
      current && typeof current === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...(current as object), ...(v as object) } : v;
  }
  // Exchange derives presence's out-of-office flag from the automatic replies setting.
  const replies = user.mailboxSettings.automaticRepliesSetting as Record<string, unknown>;
  if (b.automaticRepliesSetting) {
    const on = replies.status === 'alwaysEnabled' || replies.status === 'scheduled';
    user.presence.outOfOfficeSettings = { isOutOfOffice: on, message: on ? String(replies.internalReplyMessage ?? '') : null };
  }
  return json(200, structuredClone(user.mailboxSettings));
}

function getBlockedSenders(state: EmulatorState, _req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const user = state.store.mailbox(upn);
  return json(200, { senders: [...user.blockedSenders] });
}

function putBlockedSenders(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const user = state.store.mailbox(upn);
  const senders = body(req).senders;
  if (!Array.isArray(senders) || !senders.every((x) => typeof x === 'string')) {
    throw graphErrors.badRequest('Body must be {"senders": ["addr@example.com", "@domain.example"]}.');
  }
  user.blockedSenders = new Set(senders.map((x) => x.toLowerCase()));
  return json(200, { senders: [...user.blockedSenders] });
}

/** CONTRACT.md §5: `{"body": "Approve", "delaySeconds": 0}` from now on; `{"body": null}` stops it. */
function putAutoReply(state: EmulatorState, req: AdminRequest, { upn }: Record<string, string>): GraphResponse {
  const user = state.store.mailbox(upn);
  const b = body(req);
  const replies = mailFlowOf(state).autoReplies;
  if (b.body === null) {
    replies.delete(user.id);
    return json(200, { body: null });
  }
  const delay = b.delaySeconds ?? 0;
  if (typeof b.body !== 'string' || typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    throw graphErrors.badRequest('Body must be {"body": "text of the reply" | null, "delaySeconds"?: number >= 0}.');
  }
  replies.set(user.id, { body: b.body, delaySeconds: delay });
  return json(200, { body: b.body, delaySeconds: delay });
}

function addBucket(state: EmulatorState, req: AdminRequest): GraphResponse {
  const name = body(req).name;
  if (typeof name !== 'string') throw graphErrors.badRequest('Body must be {"name": "bucket-name"}.');
  const gcs = gcsStoreOf(state);
  try {
    gcs.createBucket(name, { ifAbsent: true });
  } catch (err) {
    throw graphErrors.badRequest(err instanceof Error ? err.message : String(err));
  }
  return json(201, { name });
}

function listBuckets(state: EmulatorState): GraphResponse {
  const gcs = gcsStoreOf(state);
  return json(200, { buckets: gcs.listBuckets().map((b) => ({ name: b.name, objects: [...b.objects.values()].map((o) => ({ name: o.name, size: o.size, contentType: o.contentType })) })) });
}

function findCopies(state: EmulatorState, req: AdminRequest): GraphResponse {
  const wanted = req.query.get('internetMessageId');
  if (!wanted) throw graphErrors.badRequest('Query must name ?internetMessageId=<...>.');
  return json(200, copiesOf(state, wanted));
}

function putSettings(state: EmulatorState, req: AdminRequest): GraphResponse {
  const patch = body(req);
  applySettings(state.settings, patch);
  if ('randomSeed' in patch) state.reseed();
  return json(200, { ...state.settings });
}

function p(path: string): string[] {
  return path.split('/');
}

/**
 * Every admin route (CONTRACT.md §5). Attachment uploads are not here: they are served by
 * handleAdminUpload before the pipeline buffers the body.
 */
const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'POST', pattern: p('reset'), handler: reset },
  { method: 'GET', pattern: p('info'), handler: getInfo },
  { method: 'POST', pattern: p('users'), handler: addUser },
  { method: 'POST', pattern: p('groups'), handler: addGroup },
  { method: 'POST', pattern: p('users/:upn/folders'), handler: addFolder },
  { method: 'POST', pattern: p('users/:upn/messages'), handler: addMessage },
  { method: 'PUT', pattern: p('users/:upn/presence'), handler: putPresence },
  { method: 'PUT', pattern: p('users/:upn/mailboxSettings'), handler: putMailboxSettings },
  { method: 'GET', pattern: p('users/:upn/blockedSenders'), handler: getBlockedSenders },
  { method: 'PUT', pattern: p('users/:upn/blockedSenders'), handler: putBlockedSenders },
  { method: 'POST', pattern: p('users/:upn/auto-reply'), handler: putAutoReply },
  { method: 'POST', pattern: p('gcs/buckets'), handler: addBucket },
  { method: 'GET', pattern: p('gcs/buckets'), handler: listBuckets },
  { method: 'POST', pattern: p('bulk'), handler: async (state, req) => json(201, await bulkSeed(state, body(req))) },
  { method: 'GET', pattern: p('traffic'), handler: (state) => json(200, state.log.trafficSnapshot()) },
  { method: 'GET', pattern: p('messages'), handler: findCopies },
  { method: 'GET', pattern: p('requests'), handler: (state) => json(200, state.log.snapshot()) },
  {
    method: 'DELETE',
    pattern: p('requests'),
    handler: (state) => {
      state.log.clear();
      return noContent();
    },
  },
  { method: 'GET', pattern: p('settings'), handler: (state) => json(200, { ...state.settings }) },
  { method: 'GET', pattern: p('outbound'), handler: (state) => json(200, { messages: mailFlowOf(state).outbound }) },
  {
    method: 'DELETE',
    pattern: p('outbound'),
    handler: (state) => {
      mailFlowOf(state).outbound = [];
      return noContent();
    },
  },
  { method: 'PUT', pattern: p('settings'), handler: putSettings },
];

/** Path segments after `/_emulator`, decoded; empty segments (`//`, a trailing `/`) are ignored. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter(Boolean).slice(1).map((s) => decodeURIComponent(s));
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = segments[i]!;
    else if (want !== segments[i]) return undefined;
  }
  return params;
}

/** An unknown path and a known path with another method both answer 404, naming both. */
async function route(state: EmulatorState, req: AdminRequest): Promise<GraphResponse> {
  const segments = segmentsOf(req.path);
  const m = req.method.toUpperCase();
  for (const r of ADMIN_ROUTES) {
    if (r.method !== m) continue;
    const params = matchPattern(r.pattern, segments);
    if (params) return await r.handler(state, req, params);
  }
  throw new EmulatorError(404, 'NotFound', `No admin route ${m} ${req.path}.`);
}

/**
 * `POST /_emulator/bulk` `{"users": [{"userPrincipalName", "displayName"?}], "messages": [{"raw",
 * "folder"?, "isRead"?, "receivedDateTime"?}]}`: creates every user and puts a copy of every
 * message in each of their mailboxes. Each MIME is parsed once, so a 10,000-mailbox tenant seeds
 * in about a second instead of 10,000 x (admin round trip + parse).
 */
async function bulkSeed(state: EmulatorState, b: Record<string, unknown>): Promise<{ users: number; messages: number }> {
  const users = b.users;
  const messages = b.messages ?? [];
  if (!Array.isArray(users) || !users.every((u) => typeof u === 'object' && u !== null && typeof (u as Record<string, unknown>).userPrincipalName === 'string')) {
    throw graphErrors.badRequest('Body must have "users": [{"userPrincipalName": "..."}].');
  }
  if (!Array.isArray(messages) || !messages.every((x) => typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>).raw === 'string')) {
    throw graphErrors.badRequest('"messages" must be [{"raw": "RFC 822 text", "folder": "Inbox"}].');
  }
  const store = state.store;
  const specs = await Promise.all(
    (messages as Array<Record<string, unknown>>).map(async (x) => ({
      prepared: await store.prepareMessage(Buffer.from(String(x.raw), 'utf8')),
      folder: typeof x.folder === 'string' ? x.folder : 'Inbox',
      options: {
        isRead: x.isRead === true,
        receivedDateTime: typeof x.receivedDateTime === 'string' ? x.receivedDateTime : undefined,
      },
    })),
  );
  let stored = 0;
  for (const raw of users as Array<Record<string, unknown>>) {
    const user = store.addUser({
      userPrincipalName: String(raw.userPrincipalName),
      displayName: typeof raw.displayName === 'string' ? raw.displayName : undefined,
    });
    if (!user.hasMailbox) continue;
    for (const spec of specs) {
      store.addPreparedMessage(user, store.folderByPath(user, spec.folder, true), spec.prepared, spec.options);
      stored += 1;
    }
  }
  return { users: users.length, messages: stored };
}

/**
 * Where every copy of one email sits, by folder (well-known name when it has one): checks a sweep.
 * Counts the dumpster too: `recoverableitemsdeletions` (soft-deleted) and `recoverableitemspurges`
 * (permanentDelete), which Graph no longer lists.
 */
function copiesOf(state: EmulatorState, internetMessageId: string): { total: number; byFolder: Record<string, number> } {
  const byFolder: Record<string, number> = {};
  const found = state.store.findByInternetMessageId(internetMessageId);
  for (const msg of found) {
    const folder = state.store.folderRecord(msg.folderId);
    const key = folder?.wellKnownName ?? folder?.displayName ?? '?';
    byFolder[key] = (byFolder[key] ?? 0) + 1;
  }
  return { total: found.length, byFolder };
}

export function applySettings(settings: Settings, patch: Record<string, unknown>): void {
  const next = { ...settings };
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'latencyMs':
      case 'latencyJitterMs':
      case 'writeLatencyMs':
      case 'tokenLifetimeSeconds':
      case 'clockOffsetSeconds':
        if (typeof value !== 'number' || !Number.isFinite(value) || (key !== 'clockOffsetSeconds' && value < 0)) {
          throw graphErrors.badRequest(`Setting '${key}' must be a non-negative number.`);
        }
        next[key] = value;
        break;
      case 'batchParallelism':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
          throw graphErrors.badRequest("Setting 'batchParallelism' must be a whole number of at least 1.");
        }
        next.batchParallelism = value;
        break;
      case 'randomSeed':
        if (!isSeed(value)) throw graphErrors.badRequest("Setting 'randomSeed' must be a whole number from 0 to 4294967295.");
        next.randomSeed = value;
        break;
      case 'faultRate':
        if (typeof value !== 'number' || value < 0 || value > 1) throw graphErrors.badRequest("Setting 'faultRate' must be a number from 0 to 1.");
        next.faultRate = value;
        break;
      case 'faultStatuses':
        if (!Array.isArray(value) || value.length === 0 || !value.every((v) => Number.isInteger(v) && v >= 400 && v <= 599)) {
          throw graphErrors.badRequest("Setting 'faultStatuses' must be a non-empty array of HTTP error statuses.");
        }
        next.faultStatuses = [...value];
        break;
      case 'faultStage':
        if (value !== 'before' && value !== 'after') throw graphErrors.badRequest("Setting 'faultStage' must be 'before' or 'after'.");
        next.faultStage = value;
        break;
      case 'throttle':
        if (typeof value !== 'boolean') throw graphErrors.badRequest("Setting 'throttle' must be a boolean.");
        next.throttle = value;
        break;
      case 'retryAfterOn429':
        if (typeof value !== 'boolean') throw graphErrors.badRequest("Setting 'retryAfterOn429' must be a boolean.");
        next.retryAfterOn429 = value;
        break;
      case 'emptyPageRate':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw graphErrors.badRequest("Setting 'emptyPageRate' must be a number from 0 to 1.");
        next.emptyPageRate = value;
        break;
      case 'permissions':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          throw graphErrors.badRequest("Setting 'permissions' must be an array of role names.");
        }
        next.permissions = [...value];
        break;
      case 'deniedMailboxes':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
          throw graphErrors.badRequest("Setting 'deniedMailboxes' must be an array of user principal names.");
        }
        next.deniedMailboxes = value.map((v: string) => v.trim());
        break;
      case 'secretExpired':
        if (typeof value !== 'boolean') throw graphErrors.badRequest("Setting 'secretExpired' must be a boolean.");
        next.secretExpired = value;
        break;
      default:
        throw graphErrors.badRequest(`Unknown setting '${key}'.`);
    }
  }
  Object.assign(settings, next);
}

export function infoOf(state: EmulatorState) {
  return {
    graphEndpoint: state.origin,
    loginEndpoint: state.origin,
    tenantId: state.tenant.tenantId,
    clientId: state.tenant.clientId,
    clientSecret: state.tenant.clientSecret,
    defaultMailbox: state.tenant.defaultMailbox,
    mailboxes: state.store.mailboxAddresses(),
  };
}
