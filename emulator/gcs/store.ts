/**
 * In-memory buckets and objects of the GCS subset, and the resumable upload sessions that are
 * still open. It enforces what the client relies on: bucket name rules, generation
 * preconditions (`ifGenerationMatch=0` = "only if absent", how an upload refuses to overwrite)
 * and the hashes (`md5Hash`, `crc32c`) the client validates every transfer against.
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32cBase64, crc32cUpdate } from './crc32c.ts';

export class GcsError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GcsObject {
  bucket: string;
  name: string;
  /** Kept as the chunks it arrived in: a 100 MB upload is never concatenated into one copy. */
  chunks: Buffer[];
  size: number;
  contentType: string;
  generation: string;
  metageneration: string;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
  metadata?: Record<string, string>;
}

export interface GcsBucket {
  name: string;
  timeCreated: string;
  objects: Map<string, GcsObject>;
}

export interface UploadSession {
  id: string;
  bucket: string;
  name: string;
  contentType: string;
  metadata?: Record<string, string>;
  ifGenerationMatch?: string;
  chunks: Buffer[];
  received: number;
  /** Total size once the client has said it (`Content-Range: bytes a-b/TOTAL`). */
  total?: number;
  /** Set once finalised: later status checks answer with the object. */
  done?: GcsObject;
}

export interface NewObject {
  bucket: string;
  name: string;
  chunks: Buffer[];
  contentType?: string;
  metadata?: Record<string, string>;
  ifGenerationMatch?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

export function checkBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    throw new GcsError(400, 'invalid', `Invalid bucket name: '${name}'`);
  }
}

function checkObjectName(name: string): void {
  if (!name || Buffer.byteLength(name, 'utf8') > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..') {
    throw new GcsError(400, 'invalid', `Invalid object name: '${name}'`);
  }
}

export class GcsStore {
  private buckets = new Map<string, GcsBucket>();
  private sessions = new Map<string, UploadSession>();
  private generation = Date.now() * 1000;

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.buckets.clear();
    this.sessions.clear();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  createBucket(name: string, { ifAbsent = false } = {}): GcsBucket {
    checkBucketName(name);
    const existing = this.buckets.get(name);
    if (existing) {
      if (ifAbsent) return existing;
      throw new GcsError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
    }
    const bucket: GcsBucket = { name, timeCreated: this.iso(), objects: new Map() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): GcsBucket {
    const b = this.buckets.get(name);
    if (!b) throw new GcsError(404, 'notFound', 'The specified bucket does not exist.');
    return b;
  }

  deleteBucket(name: string): void {
    if (this.bucket(name).objects.size > 0) throw new GcsError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.buckets.delete(name);
  }

  listBuckets(): GcsBucket[] {
    return [...this.buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  object(bucket: string, name: string): GcsObject {
    const o = this.bucket(bucket).objects.get(name);
    if (!o) throw new GcsError(404, 'notFound', `No such object: ${bucket}/${name}`);
    return o;
  }

  deleteObject(bucket: string, name: string): void {
    this.object(bucket, name);
    this.bucket(bucket).objects.delete(name);
  }

  private checkPrecondition(bucket: string, name: string, ifGenerationMatch: string | undefined): void {
    if (ifGenerationMatch === undefined) return;
    const current = this.buckets.get(bucket)?.objects.get(name);
    const want = ifGenerationMatch.trim();
    const ok = want === '0' ? current === undefined : current?.generation === want;
    if (!ok) throw new GcsError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
  }

  /** Buckets spring into existence on first upload: the emulator has no project to create them in. */
  putObject(input: NewObject): GcsObject {
    checkBucketName(input.bucket);
    checkObjectName(input.name);
    this.checkPrecondition(input.bucket, input.name, input.ifGenerationMatch);
    const bucket = this.createBucket(input.bucket, { ifAbsent: true });
    const md5 = createHash('md5');
    let crc = 0;
    let size = 0;
    for (const c of input.chunks) {
      md5.update(c);
      crc = crc32cUpdate(crc, c);
      size += c.length;
    }
    const now = this.iso();
    const object: GcsObject = {
      bucket: input.bucket,
      name: input.name,
      chunks: input.chunks,
      size,
      contentType: input.contentType || 'application/octet-stream',
      generation: String(++this.generation),
      metageneration: '1',
      md5Hash: md5.digest('base64'),
      crc32c: crc32cBase64(crc),
      timeCreated: now,
      updated: now,
      metadata: input.metadata,
    };
    bucket.objects.set(input.name, object);
    return object;
  }

  openSession(input: Omit<UploadSession, 'id' | 'chunks' | 'received'>): UploadSession {
    checkBucketName(input.bucket);
    checkObjectName(input.name);
    this.checkPrecondition(input.bucket, input.name, input.ifGenerationMatch);
    const session: UploadSession = { ...input, id: randomBytes(18).toString('base64url'), chunks: [], received: 0 };
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: string): UploadSession {
    const s = this.sessions.get(id);
    if (!s) throw new GcsError(404, 'notFound', 'No such upload session.');
    return s;
  }

  finishSession(s: UploadSession): GcsObject {
    if (s.done) return s.done;
    const object = this.putObject({
      bucket: s.bucket,
      name: s.name,
      chunks: s.chunks,
      contentType: s.contentType,
      metadata: s.metadata,
      ifGenerationMatch: s.ifGenerationMatch,
    });
    s.done = object;
    s.chunks = [];
    return object;
  }
}
