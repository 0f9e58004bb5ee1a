import { graphErrors } from '../errors.ts';
import type { IdType } from '../ids.ts';
import type { EmulatorState, GraphRequest, GraphResponse } from '../state.ts';
import type { FolderRecord, UserRecord } from '../store.ts';

export interface HandlerContext {
  req: GraphRequest;
  params: Record<string, string>;
  state: EmulatorState;
  /** `https://127.0.0.1:PORT/v1.0` (or `/beta`): base of @odata.context and nextLink. */
  versionBase: string;
}

export type Handler = (ctx: HandlerContext) => GraphResponse | Promise<GraphResponse>;

export function readJson(req: GraphRequest): Record<string, unknown> {
  if (!req.body || req.body.length === 0) throw graphErrors.badRequest('Empty Payload. JSON content expected.');
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw graphErrors.badRequest('Invalid JSON payload: the request body could not be read.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw graphErrors.badRequest('Invalid JSON payload: a JSON object was expected.');
  }
  return value as Record<string, unknown>;
}

export function mailboxOf(ctx: HandlerContext): UserRecord {
  return ctx.state.store.mailbox(ctx.params.user);
}

/** The folder named in the path (`mailFolders/{id|wellKnownName}`), if the route has one. */
export function folderOf(ctx: HandlerContext, mailbox: UserRecord): FolderRecord | undefined {
  return ctx.params.folder === undefined ? undefined : ctx.state.store.folder(mailbox, ctx.params.folder);
}

/** Absolute URL of the requested collection, for nextLink (Graph echoes the path as sent). */
export function collectionUrl(ctx: HandlerContext): string {
  return `${ctx.versionBase}/${ctx.req.segments.map(encodeURIComponent).join('/')}`;
}

export function contextUrl(ctx: HandlerContext, fragment: string): string {
  return `${ctx.versionBase}/$metadata#${fragment}`;
}

export function quoteKey(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `Prefer: IdType="ImmutableId"` (outlook-immutable-id.md): applies to the one request that
 * carries it, a `$batch` item by its own headers. Other preferences may share the header.
 */
export function idTypeOf(req: GraphRequest): IdType {
  for (const preference of (req.headers.prefer ?? '').split(',')) {
    const [name, value = ''] = preference.split(';')[0].split('=');
    if (name.trim().toLowerCase() === 'idtype' && value.trim().replace(/^"|"$/g, '').toLowerCase() === 'immutableid') return 'immutable';
  }
  return 'rest';
}

/** A route whose answers carry item ids: says so with `Preference-Applied` when it honoured the preference. */
export function honoursIdType(handler: Handler): Handler {
  return async (ctx) => {
    const res = await handler(ctx);
    if (idTypeOf(ctx.req) === 'immutable' && res.status < 400) res.headers['Preference-Applied'] = 'IdType="ImmutableId"';
    return res;
  };
}
