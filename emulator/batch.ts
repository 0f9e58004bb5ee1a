/**
 * JSON batching as Graph runs it against Outlook (concepts/json-batching.md and
 * concepts/throttling-limits.md, "Outlook service limits for JSON batching"):
 * - up to 20 requests; ids are required and unique ignoring case;
 * - an unordered batch runs at most `batchParallelism` (default 4) items at a time, whatever their
 *   mailboxes, in the order given; the others wait (they are not 429'd for waiting, and hold no
 *   mailbox slot until they start);
 * - a batch with `dependsOn` must be fully sequential (every item after the first depends on the
 *   one before it); it then runs one item at a time, and an item whose dependency failed is a 424.
 *   Anything in between is a 400 ("Batch should be either fully sequential or fully parallel.",
 *   what Graph answers: microsoft-graph-docs-contrib issue #2339);
 * - each item goes through the whole pipeline on its own (auth, faults, throttling, latency), so
 *   a throttled item is a 429 inside a 200 batch, and the per-mailbox limit of 4 concurrent
 *   requests holds across every batch and single request;
 * - answers come back shuffled (seeded): the service does not promise their order.
 */
import { EmulatorError, graphErrors } from './errors.ts';
import { buildGraphRequest } from './graph-request.ts';
import type { EmulatorState, GraphRequest, GraphResponse } from './state.ts';
import { json } from './state.ts';

export const MAX_BATCH_REQUESTS = 20;
export const DEFAULT_BATCH_PARALLELISM = 4;

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
  const items = requests.map((raw: unknown) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const id = r.id === undefined || r.id === null ? undefined : String(r.id);
    if (!id || typeof r.method !== 'string' || typeof r.url !== 'string') {
      throw graphErrors.badRequest('Invalid batch payload format: every request needs an id, a method and a url.');
    }
    if (seen.has(id.toLowerCase())) throw graphErrors.badRequest(`Batch request ids must be unique; '${id}' is used twice.`);
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    for (const dep of dependsOn) {
      if (!seen.has(dep.toLowerCase())) throw graphErrors.badRequest(`Invalid dependency for request Id '${id}': '${dep}' is not an earlier request of the batch.`);
    }
    seen.add(id.toLowerCase());
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === 'object') {
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
    }
    return { id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body, dependsOn };
  });
  if (items.some((i) => i.dependsOn.length > 0) && !isChain(items)) {
    throw graphErrors.badRequest('Batch should be either fully sequential or fully parallel.');
  }
  return items;
}

/** Every item after the first depends on exactly the one before it. */
function isChain(items: BatchItem[]): boolean {
  return items.every((item, i) =>
    i === 0 ? item.dependsOn.length === 0 : item.dependsOn.length === 1 && item.dependsOn[0].toLowerCase() === items[i - 1].id.toLowerCase(),
  );
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
  const sequential = items.some((i) => i.dependsOn.length > 0);
  const runOne = async (item: BatchItem): Promise<GraphResponse> => {
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
  const answers = new Array<GraphResponse>(items.length);
  if (sequential) {
    // One at a time in the given order; once an item fails, each later one fails its dependency.
    let failed = false;
    for (let i = 0; i < items.length; i += 1) {
      answers[i] = failed
        ? json(424, { error: { code: 'FailedDependency', message: 'A request this request depends on failed.' } })
        : await runOne(items[i]);
      if (answers[i].status >= 400) failed = true;
    }
  } else {
    // `batchParallelism` lanes take the items in order, as Graph feeds Outlook.
    let next = 0;
    const lane = async () => {
      while (next < items.length) {
        const i = next++;
        answers[i] = await runOne(items[i]);
      }
    };
    const lanes = Math.min(items.length, Math.max(1, state.settings.batchParallelism));
    await Promise.all(Array.from({ length: lanes }, lane));
  }
  const responses = items.map((item, i) => toItemResponse(item.id, answers[i]));
  for (let i = responses.length - 1; i > 0; i -= 1) {
    const j = Math.floor(state.random() * (i + 1));
    [responses[i], responses[j]] = [responses[j], responses[i]];
  }
  return json(200, { responses });
}
