/**
 * The GCS JSON API subset that @google-cloud/storage uses to put and read objects, served on the
 * emulator's port (no auth, loopback use):
 *
 *   GET|POST  /storage/v1/b                          list / create buckets
 *   GET|DELETE /storage/v1/b/{bucket}                bucket metadata / delete an empty bucket
 *   GET       /storage/v1/b/{bucket}/o               list objects (prefix, delimiter, maxResults, pageToken)
 *   GET       /storage/v1/b/{bucket}/o/{object}      metadata, or the bytes with alt=media (Range honoured)
 *   DELETE    /storage/v1/b/{bucket}/o/{object}
 *   POST      /upload/storage/v1/b/{bucket}/o        uploadType=media | multipart | resumable (session start)
 *   PUT       /upload/storage/v1/b/{bucket}/o?upload_id=..   resumable chunks and status checks (308)
 *
 * The same JSON routes answer without the `/storage/v1` prefix, because with
 * `STORAGE_EMULATOR_HOST` the client uses that host as its JSON base URL as given. Bodies are
 * read here chunk by chunk, never through the Graph pipeline's whole-body buffer, so a large
 * upload costs its own size once. Strict like the Graph side: an unknown query option is a 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boundaryOf, parseRelated } from './multipart.ts';
import { GcsError, type GcsBucket, type GcsObject, type GcsStore } from './store.ts';

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Sent by the client on every call; no effect here. */
const COMMON = ['userProject', 'prettyPrint', 'fields', 'projection', 'alt'];
const PRECONDITIONS = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'];

interface GcsRoute {
  kind: 'json' | 'upload' | 'download';
  segments: string[];
}

/** Which GCS route a path is, or undefined when it is not a GCS path at all. */
export function matchGcsPath(pathname: string): GcsRoute | undefined {
  const raw = pathname.split('/').slice(1);
  const decode = (parts: string[]) => parts.map((p) => decodeURIComponent(p));
  try {
    if (raw[0] === 'upload' && raw[1] === 'storage' && raw[2] === 'v1' && raw[3] === 'b') return { kind: 'upload', segments: decode(raw.slice(3)) };
    if (raw[0] === 'download' && raw[1] === 'storage' && raw[2] === 'v1' && raw[3] === 'b') return { kind: 'download', segments: decode(raw.slice(3)) };
    if (raw[0] === 'storage' && raw[1] === 'v1' && raw[2] === 'b') return { kind: 'json', segments: decode(raw.slice(2)) };
    if (raw[0] === 'b') return { kind: 'json', segments: decode(raw) };
  } catch {
    return { kind: 'json', segments: ['\u0000'] };
  }
  return undefined;
}

async function readChunks(req: IncomingMessage, limit = MAX_UPLOAD_BYTES): Promise<{ chunks: Buffer[]; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new GcsError(413, 'uploadTooLarge', 'The upload is larger than the emulator accepts.');
    chunks.push(chunk as Buffer);
  }
  return { chunks, size };
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const { chunks } = await readChunks(req, 1024 * 1024);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new GcsError(400, 'parseError', 'Parse Error');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': payload.length, ...headers });
  res.end(payload);
}

function sendError(res: ServerResponse, err: GcsError): void {
  sendJson(res, err.status, { error: { code: err.status, message: err.message, errors: [{ message: err.message, domain: 'global', reason: err.reason }] } });
}

function allowOnly(query: URLSearchParams, allowed: string[]): void {
  for (const key of query.keys()) {
    if (!allowed.includes(key) && !COMMON.includes(key)) throw new GcsError(400, 'invalidParameter', `The query option '${key}' is not supported by the emulator here.`);
  }
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

export class GcsHandler {
  constructor(
    private readonly store: GcsStore,
    /** `http://127.0.0.1:PORT` as the client called it, for selfLink / mediaLink / session URIs. */
    private readonly originOf: (req: IncomingMessage) => string,
  ) {}

  async handle(route: GcsRoute, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      await this.dispatch(route, req, res, url);
    } catch (err) {
      req.resume();
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : undefined);
        return;
      }
      sendError(res, err instanceof GcsError ? err : new GcsError(500, 'backendError', 'Internal error in the emulator.'));
    }
  }

  private async dispatch(route: GcsRoute, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const q = url.searchParams;
    const [b, bucketName, o, ...rest] = route.segments;
    if (b !== 'b') throw new GcsError(404, 'notFound', 'Not Found');
    const objectName = rest.join('/');
    const origin = this.originOf(req);

    if (route.kind === 'upload') {
      if (!bucketName || o !== 'o' || rest.length > 0) throw new GcsError(404, 'notFound', 'Not Found');
      if (method === 'POST') return this.upload(bucketName, req, res, q, origin);
      if (method === 'PUT') return this.resumableChunk(req, res, q, origin);
      if (method === 'DELETE') {
        allowOnly(q, ['uploadType', 'upload_id', 'name']);
        this.store.session(q.get('upload_id') ?? '');
        res.writeHead(499).end();
        return;
      }
      throw new GcsError(405, 'methodNotAllowed', 'Method not allowed.');
    }
    if (route.kind === 'download') {
      if (method !== 'GET' || !bucketName || o !== 'o' || !objectName) throw new GcsError(404, 'notFound', 'Not Found');
      allowOnly(q, ['generation']);
      return this.media(this.store.object(bucketName, objectName), req, res);
    }

    if (bucketName === undefined) {
      if (method === 'GET') {
        allowOnly(q, ['project', 'prefix', 'maxResults', 'pageToken']);
        const prefix = q.get('prefix') ?? '';
        return sendJson(res, 200, { kind: 'storage#buckets', items: this.store.listBuckets().filter((x) => x.name.startsWith(prefix)).map((x) => this.bucketResource(x, origin)) });
      }
      if (method === 'POST') {
        allowOnly(q, ['project', 'predefinedAcl', 'predefinedDefaultObjectAcl', 'enableObjectRetention']);
        const body = await readJsonBody(req);
        return sendJson(res, 200, this.bucketResource(this.store.createBucket(String(body.name ?? '')), origin));
      }
      throw new GcsError(405, 'methodNotAllowed', 'Method not allowed.');
    }
    if (o === undefined) {
      if (method === 'GET') {
        allowOnly(q, [...PRECONDITIONS]);
        return sendJson(res, 200, this.bucketResource(this.store.bucket(bucketName), origin));
      }
      if (method === 'DELETE') {
        allowOnly(q, [...PRECONDITIONS]);
        this.store.deleteBucket(bucketName);
        res.writeHead(204).end();
        return;
      }
      throw new GcsError(405, 'methodNotAllowed', 'Method not allowed.');
    }
    if (o !== 'o') throw new GcsError(404, 'notFound', 'Not Found');
    if (!objectName) {
      if (method !== 'GET') throw new GcsError(405, 'methodNotAllowed', 'Method not allowed.');
      allowOnly(q, ['prefix', 'delimiter', 'maxResults', 'pageToken', 'versions', 'autoPaginate', 'includeTrailingDelimiter', 'startOffset', 'endOffset', 'matchGlob', 'softDeleted', 'includeFoldersAsPrefixes']);
      return this.list(this.store.bucket(bucketName), q, res, origin);
    }
    if (method === 'GET') {
      allowOnly(q, ['generation', ...PRECONDITIONS]);
      const object = this.store.object(bucketName, objectName);
      if (q.get('alt') === 'media') return this.media(object, req, res);
      return sendJson(res, 200, this.objectResource(object, origin));
    }
    if (method === 'DELETE') {
      allowOnly(q, ['generation', ...PRECONDITIONS]);
      this.store.deleteObject(bucketName, objectName);
      res.writeHead(204).end();
      return;
    }
    throw new GcsError(405, 'methodNotAllowed', 'Method not allowed.');
  }

  private async upload(bucket: string, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, origin: string): Promise<void> {
    const type = q.get('uploadType') ?? 'media';
    allowOnly(q, ['uploadType', 'name', 'contentEncoding', 'kmsKeyName', 'predefinedAcl', ...PRECONDITIONS]);
    const ifGenerationMatch = q.get('ifGenerationMatch') ?? undefined;
    if (type === 'media') {
      const name = q.get('name');
      if (!name) throw new GcsError(400, 'required', 'Required parameter: name');
      const { chunks } = await readChunks(req);
      const object = this.store.putObject({ bucket, name, chunks, contentType: req.headers['content-type'], ifGenerationMatch });
      return sendJson(res, 200, this.objectResource(object, origin));
    }
    if (type === 'multipart') {
      const boundary = boundaryOf(req.headers['content-type']);
      const { chunks } = await readChunks(req);
      const parts = parseRelated(Buffer.concat(chunks), boundary);
      if (parts.length !== 2) throw new GcsError(400, 'invalid', 'A multipart upload has exactly two parts: metadata and media.');
      let meta: Record<string, unknown>;
      try {
        meta = JSON.parse(parts[0].body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new GcsError(400, 'parseError', 'Parse Error');
      }
      const name = q.get('name') ?? (typeof meta.name === 'string' ? meta.name : '');
      if (!name) throw new GcsError(400, 'required', 'Required parameter: name');
      const contentType = typeof meta.contentType === 'string' ? meta.contentType : parts[1].headers['content-type'];
      const object = this.store.putObject({ bucket, name, chunks: [parts[1].body], contentType, metadata: stringMap(meta.metadata), ifGenerationMatch });
      return sendJson(res, 200, this.objectResource(object, origin));
    }
    if (type === 'resumable') {
      const meta = await readJsonBody(req);
      const name = q.get('name') ?? (typeof meta.name === 'string' ? meta.name : '');
      if (!name) throw new GcsError(400, 'required', 'Required parameter: name');
      const contentType = (req.headers['x-upload-content-type'] as string | undefined) ?? (typeof meta.contentType === 'string' ? meta.contentType : undefined);
      const declared = Number(req.headers['x-upload-content-length']);
      const session = this.store.openSession({
        bucket,
        name,
        contentType: contentType ?? 'application/octet-stream',
        metadata: stringMap(meta.metadata),
        ifGenerationMatch,
        total: Number.isFinite(declared) && declared >= 0 && req.headers['x-upload-content-length'] !== undefined ? declared : undefined,
      });
      const location = `${origin}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${session.id}`;
      res.writeHead(200, { Location: location, 'X-GUploader-UploadID': session.id, 'Content-Length': 0 });
      res.end();
      return;
    }
    throw new GcsError(400, 'invalidParameter', `Unsupported uploadType '${type}'.`);
  }

  /**
   * One PUT of a resumable session. `Content-Range` says where the bytes go and whether the
   * total is known: `bytes a-b/T`, `bytes a-b/*` (more to come), `bytes a-* /*` (everything in
   * this request: done when it ends), `bytes * /T` or `bytes * /*` (status check / final empty
   * chunk). Incomplete sessions answer 308 with the `Range` received so far.
   */
  private async resumableChunk(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, origin: string): Promise<void> {
    allowOnly(q, ['uploadType', 'upload_id', 'name']);
    const session = this.store.session(q.get('upload_id') ?? '');
    const range = parseContentRange(req.headers['content-range']);
    if (session.done) {
      req.resume();
      return sendJson(res, 200, this.objectResource(session.done, origin));
    }
    if (range.total !== undefined) session.total = range.total;
    if (range.start !== undefined) {
      if (range.start > session.received) {
        req.resume();
        throw new GcsError(400, 'invalid', `Content-Range starts at ${range.start}, but only ${session.received} bytes were received.`);
      }
      let skip = session.received - range.start;
      for await (const chunk of req) {
        let c = chunk as Buffer;
        if (skip > 0) {
          const drop = Math.min(skip, c.length);
          c = c.subarray(drop);
          skip -= drop;
        }
        if (c.length === 0) continue;
        if (session.received + c.length > MAX_UPLOAD_BYTES) throw new GcsError(413, 'uploadTooLarge', 'The upload is larger than the emulator accepts.');
        session.chunks.push(c);
        session.received += c.length;
      }
    } else {
      req.resume();
    }
    const complete = session.total !== undefined ? session.received >= session.total : range.start !== undefined && range.end === undefined;
    if (complete) {
      if (session.total !== undefined && session.received !== session.total) {
        throw new GcsError(400, 'invalid', `The upload has ${session.received} bytes, not the declared ${session.total}.`);
      }
      return sendJson(res, 200, this.objectResource(this.store.finishSession(session), origin));
    }
    const headers: Record<string, string | number> = { 'Content-Length': 0 };
    if (session.received > 0) headers.Range = `bytes=0-${session.received - 1}`;
    res.writeHead(308, headers);
    res.end();
  }

  private list(bucket: GcsBucket, q: URLSearchParams, res: ServerResponse, origin: string): void {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const max = Math.max(1, Math.min(Number(q.get('maxResults') ?? 1000) || 1000, 1000));
    const after = q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8') : undefined;
    const names = [...bucket.objects.keys()].filter((n) => n.startsWith(prefix)).sort();
    const items: GcsObject[] = [];
    const prefixes = new Set<string>();
    let nextPageToken: string | undefined;
    for (const name of names) {
      if (after !== undefined && name <= after) continue;
      const restOf = name.slice(prefix.length);
      const cut = delimiter ? restOf.indexOf(delimiter) : -1;
      if (cut >= 0) {
        prefixes.add(prefix + restOf.slice(0, cut + delimiter.length));
        continue;
      }
      if (items.length === max) {
        nextPageToken = Buffer.from(items[items.length - 1].name, 'utf8').toString('base64url');
        break;
      }
      items.push(bucket.objects.get(name)!);
    }
    sendJson(res, 200, {
      kind: 'storage#objects',
      ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
      ...(items.length ? { items: items.map((x) => this.objectResource(x, origin)) } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
    });
  }

  /** The bytes, written chunk by chunk with backpressure; `Range: bytes=a-b` gives a 206. */
  private async media(object: GcsObject, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let start = 0;
    let end = object.size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? '').trim());
    const partial = range !== null && object.size > 0;
    if (range && partial) {
      if (range[1] === '') {
        start = Math.max(0, object.size - Number(range[2]));
      } else {
        start = Number(range[1]);
        if (range[2] !== '') end = Math.min(end, Number(range[2]));
      }
      if (start > end || start >= object.size) {
        res.writeHead(416, { 'Content-Range': `bytes */${object.size}` }).end();
        return;
      }
    }
    const headers: Record<string, string | number> = {
      'Content-Type': object.contentType,
      'Content-Length': object.size === 0 ? 0 : end - start + 1,
      'x-goog-generation': object.generation,
      'x-goog-metageneration': object.metageneration,
      'x-goog-stored-content-encoding': 'identity',
      'x-goog-stored-content-length': object.size,
      ETag: `"${object.md5Hash}"`,
    };
    if (!partial) headers['x-goog-hash'] = `crc32c=${object.crc32c},md5=${object.md5Hash}`;
    else headers['Content-Range'] = `bytes ${start}-${end}/${object.size}`;
    res.writeHead(partial ? 206 : 200, headers);
    let offset = 0;
    for (const chunk of object.chunks) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(end + 1 - offset, chunk.length);
      offset += chunk.length;
      if (to <= from) continue;
      if (!res.write(chunk.subarray(from, to))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        if (res.destroyed) return;
      }
    }
    res.end();
  }

  private bucketResource(b: GcsBucket, origin: string): Record<string, unknown> {
    return {
      kind: 'storage#bucket',
      id: b.name,
      selfLink: `${origin}/storage/v1/b/${encodeURIComponent(b.name)}`,
      name: b.name,
      projectNumber: '0',
      metageneration: '1',
      location: 'US',
      storageClass: 'STANDARD',
      etag: 'CAE=',
      timeCreated: b.timeCreated,
      updated: b.timeCreated,
    };
  }

  private objectResource(x: GcsObject, origin: string): Record<string, unknown> {
    const enc = encodeURIComponent(x.name);
    return {
      kind: 'storage#object',
      id: `${x.bucket}/${x.name}/${x.generation}`,
      selfLink: `${origin}/storage/v1/b/${encodeURIComponent(x.bucket)}/o/${enc}`,
      mediaLink: `${origin}/download/storage/v1/b/${encodeURIComponent(x.bucket)}/o/${enc}?generation=${x.generation}&alt=media`,
      name: x.name,
      bucket: x.bucket,
      generation: x.generation,
      metageneration: x.metageneration,
      contentType: x.contentType,
      storageClass: 'STANDARD',
      size: String(x.size),
      md5Hash: x.md5Hash,
      crc32c: x.crc32c,
      etag: `"${x.md5Hash}"`,
      timeCreated: x.timeCreated,
      updated: x.updated,
      timeStorageClassUpdated: x.timeCreated,
      ...(x.metadata ? { metadata: x.metadata } : {}),
    };
  }
}

export interface ContentRange {
  start?: number;
  /** Inclusive end; undefined for `a-*`. */
  end?: number;
  total?: number;
}

export function parseContentRange(header: string | string[] | undefined): ContentRange {
  const v = String(header ?? '').trim();
  if (v === '') return { start: 0 };
  const m = /^bytes\s+(?:\*|(\d+)-(\d+|\*))\/(\d+|\*|undefined)$/i.exec(v);
  if (!m) throw new GcsError(400, 'invalid', `Malformed Content-Range '${v}'.`);
  const total = /^\d+$/.test(m[3]) ? Number(m[3]) : undefined;
  if (m[1] === undefined) return { total };
  return { start: Number(m[1]), end: m[2] === '*' ? undefined : Number(m[2]), total };
}
