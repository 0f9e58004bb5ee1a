/**
 * JSON batching (concepts/json-batching.md): up to 20 requests, run concurrently unless
 * `dependsOn` orders them, each through the whole pipeline on its own (auth, faults,
 * throttling: a throttled item is a 429 with Retry-After inside a 200 batch). Responses come
 * back shuffled, as the service does not promise order.
 */
import { EmulatorError, graphErrors } from './errors.ts';
import { buildGraphRequest } from './graph-request.ts';
import type { EmulatorState, GraphRequest, GraphResponse } from './state.ts';
import { json } from './state.ts';

export const MAX_BATCH_REQUESTS = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

function parseItems(req: GraphRequest): BatchItem[] {
  let payload: unknown;
  try {
    payload = JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw graphErrors.badRequest('Invalid batch payload format.');
  }
  const requests = (payload as { requests?: unknown })?.requests;
  if (!Array.isArray(requests)) throw graphErrors.badRequest('Invalid batch payload format.');
  if (requests.length === 0) throw graphErrors.badRequest('Invalid batch payload format: the batch contains no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw graphErrors.badRequest(`The number of requests in a batch cannot exceed ${MAX_BATCH_REQUESTS}.`);
  }
  const seen = new Set<string>();
  return requests.map((raw: unknown) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const id = r.id === undefined ? undefined : String(r.id);
    if (!id || typeof r.method !== 'string' || typeof r.url !== 'string') {
      throw graphErrors.badRequest('Invalid batch payload format: every request needs an id, a method and a url.');
    }
    if (seen.has(id)) throw graphErrors.badRequest(`Batch request ids must be unique; '${id}' is used twice.`);
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    for (const dep of dependsOn) {
      // Requiring dependencies to come earlier rules out cycles without a graph walk.
      if (!seen.has(dep)) throw graphErrors.badRequest(`Request '${id}' depends on '${dep}', which is not an earlier request of the batch.`);
    }
    seen.add(id);
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === 'object') {
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
    }
    return { id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body, dependsOn };
  });
}

function itemBody(item: BatchItem): Buffer | undefined {
  if (item.body === undefined || item.body === null) return undefined;
  if (!item.headers['content-type']) {
    throw graphErrors.badRequest('A Content-Type header is required for a batch request with a body.');
  }
  // A non-JSON body travels base64-encoded inside the batch.
  if (typeof item.body === 'string' && !item.headers['content-type'].toLowerCase().includes('json')) {
    return Buffer.from(item.body, 'base64');
  }
  return Buffer.from(typeof item.body === 'string' ? item.body : JSON.stringify(item.body));
}

function toItemResponse(id: string, res: GraphResponse): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (['content-type', 'retry-after', 'location', 'preference-applied'].includes(k.toLowerCase())) headers[k] = v;
  }
  const out: Record<string, unknown> = { id, status: res.status, headers };
  if (Buffer.isBuffer(res.body)) out.body = res.body.toString('base64');
  else if (res.body !== undefined) out.body = res.body;
  return out;
}

export async function runBatch(
  outer: GraphRequest,
  state: EmulatorState,
  execute: (sub: GraphRequest) => Promise<GraphResponse>,
): Promise<GraphResponse> {
  const items = parseItems(outer);
  const done = new Map<string, Promise<GraphResponse>>();
  const run = async (item: BatchItem): Promise<GraphResponse> => {
    const deps = await Promise.all(item.dependsOn.map((d) => done.get(d)!));
    if (deps.some((d) => d.status >= 400)) {
      return json(424, { error: { code: 'FailedDependency', message: 'A request this request depends on failed.' } });
    }
    try {
      if (/^https?:/i.test(item.url)) throw graphErrors.badRequest('A batch request url must be relative to the version, e.g. /users/{id}/messages.');
      const [pathPart, queryPart = ''] = item.url.split(/\?(.*)/s, 2);
      const sub = buildGraphRequest({
        method: item.method,
        version: outer.version,
        pathAfterVersion: `/${pathPart.replace(/^\/+/, '')}`,
        query: new URLSearchParams(queryPart),
        headers: { ...item.headers, authorization: item.headers.authorization ?? outer.headers.authorization ?? '' },
        body: itemBody(item),
      });
      if (!sub.headers.authorization) delete sub.headers.authorization;
      return await execute(sub);
    } catch (err) {
      const e = err instanceof EmulatorError ? err : graphErrors.badRequest('Invalid batch request.');
      return json(e.status, { error: { code: e.code, message: e.message } }, e.headers);
    }
  };
  for (const item of items) done.set(item.id, run(item));
  const responses = await Promise.all(items.map(async (item) => toItemResponse(item.id, await done.get(item.id)!)));
  for (let i = responses.length - 1; i > 0; i -= 1) {
    const j = Math.floor(state.random() * (i + 1));
    [responses[i], responses[j]] = [responses[j], responses[i]];
  }
  return json(200, { responses });
}
