/**
 * The `GCP Bucket` destination: streams each attachment into a Cloud Storage object with the
 * official client. `Download Path` names the place: `gs://bucket/folder/sub`, `bucket/folder/sub`
 * (no leading slash: the first level is the bucket), or the Unix-like path of the documentation
 * (`/tmp/test` -> objects `tmp/test/NAME`) in the bucket `MSGRAPH_MAIL_GCS_BUCKET` names; without
 * that variable a path starting with `/` is refused rather than read as bucket `tmp`, which would
 * be somebody else's. Credentials come from
 * Google's standard environment (`GOOGLE_APPLICATION_CREDENTIALS`, or the metadata server on GCP);
 * `STORAGE_EMULATOR_HOST` points the client at an emulator.
 */
import { Transform, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { Storage, StorageOptions } from '@google-cloud/storage';
import { InputError } from '../../soar/errors.ts';
import { uniqueStamp } from './local.ts';
import { RunPaths } from './run-paths.ts';
import { safeAttachmentName, withSuffix } from './safe-name.ts';
import { DOWNLOAD_PATH, type AttachmentDestination, type SaveOptions, type SavedFile } from './types.ts';

/** Environment variable naming the bucket a plain `/tmp/test` download path goes to. */
export const DEFAULT_BUCKET_ENV = 'MSGRAPH_MAIL_GCS_BUCKET';
/** Above this (or when the size is unknown) uploads are resumable: one failed request does not restart the file. */
export const RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
const MAX_UNIQUE_TRIES = 100;

export interface GcsLocation {
  bucket: string;
  /** Object name prefix without leading / trailing slash; '' for the bucket root. */
  prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

function checkBucket(bucket: string, given: string, parameter: string = DOWNLOAD_PATH): void {
  const plain = !bucket.includes('.');
  const tooLong = plain ? bucket.length > 63 : bucket.split('.').some((p) => p.length > 63);
  if (!BUCKET.test(bucket) || tooLong || bucket.includes('..') || bucket.startsWith('goog')) {
    throw new InputError(
      `${parameter} "${given}" does not start with a valid Cloud Storage bucket name ("${bucket}"): use gs://bucket-name/folder, ` +
        `or set ${DEFAULT_BUCKET_ENV} to keep a path like /tmp/test.`,
      parameter,
    );
  }
}

/**
 * Bucket and object prefix from `Download Path`: the bucket is the first level of `gs://...` or of
 * a path without a leading slash; a path with one goes to `defaultBucket`, and is an error without it.
 */
export function parseGcsPath(downloadPath: unknown, defaultBucket?: string, parameter: string = DOWNLOAD_PATH): GcsLocation {
  // Errors name the parameter the path came from (`Download Path`, `Attachments Paths`).
  if (typeof downloadPath !== 'string' || downloadPath.trim() === '') {
    throw new InputError(`${parameter} is required: gs://bucket-name/folder for the GCP Bucket destination.`, parameter);
  }
  const given = downloadPath.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000-\u001f\u007f]/.test(given)) throw new InputError(`${parameter} contains a control character.`, parameter);
  const explicit = /^gs:\/\//i.test(given);
  const rooted = !explicit && /^[/\\]/.test(given);
  const parts = given.replace(/^gs:\/\//i, '').split(/[/\\]+/).filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) {
    throw new InputError(`${parameter} "${given}" must not contain "." or ".." segments.`, parameter);
  }
  if (rooted && !defaultBucket) {
    throw new InputError(
      `${parameter} "${given}" names no bucket: use gs://bucket-name${given.startsWith('/') ? given : `/${parts.join('/')}`}, ` +
        `or set ${DEFAULT_BUCKET_ENV} to the bucket that paths starting with "/" go to.`,
      parameter,
    );
  }
  const bucket = rooted ? defaultBucket : parts.shift();
  if (!bucket) throw new InputError(`${parameter} "${given}" names no bucket: use gs://bucket-name/folder.`, parameter);
  checkBucket(bucket, given, parameter);
  return { bucket, prefix: parts.join('/') };
}

export interface GcsDestinationOptions {
  /** A ready client (tests, or a caller that shares one). */
  storage?: Storage;
  /** Options for the client this destination creates (e.g. `apiEndpoint`, `projectId`). */
  storageOptions?: StorageOptions;
  /** Bucket for paths without one; default: the `MSGRAPH_MAIL_GCS_BUCKET` environment variable. */
  defaultBucket?: string;
  now?: () => Date;
  /** `gs://` paths this run already wrote (earlier invocations of an async run): never overwritten by it. */
  taken?: Iterable<string>;
}

interface ApiErrorLike {
  code?: unknown;
  status?: unknown;
  response?: { status?: unknown };
}

const asStatus = (v: unknown): number | undefined =>
  typeof v === 'number' && v >= 100 && v < 600 ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;

/** The HTTP status of a client error: ApiError puts it in `code`, gaxios (resumable uploads) in `response.status`. */
function statusOf(err: unknown): number | undefined {
  const e = err as ApiErrorLike | undefined;
  return asStatus(e?.code) ?? asStatus(e?.status) ?? asStatus(e?.response?.status);
}

export function createGcsDestination(downloadPath: string, opts: GcsDestinationOptions = {}): AttachmentDestination {
  const defaultBucket = opts.defaultBucket ?? (process.env[DEFAULT_BUCKET_ENV] || undefined);
  const where = parseGcsPath(downloadPath, defaultBucket);
  const root = `gs://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
  const now = opts.now ?? (() => new Date());
  const written = new RunPaths(opts.taken);
  const pathOf = (objectName: string) => `gs://${where.bucket}/${objectName}`;
  let storage: Promise<Storage> | undefined = opts.storage ? Promise.resolve(opts.storage) : undefined;
  // Loaded on first use: the client library is large, and most runs never touch a bucket.
  const client = () => (storage ??= import('@google-cloud/storage').then(({ Storage }) => new Storage(opts.storageOptions)));

  const explain = (err: unknown, objectName: string): Error => {
    const status = statusOf(err);
    if (status === 404) return new InputError(`The bucket "${where.bucket}" of the ${DOWNLOAD_PATH} does not exist.`, DOWNLOAD_PATH);
    if (status === 401 || status === 403) {
      return new InputError(
        `No permission to write gs://${where.bucket}/${objectName} (${DOWNLOAD_PATH}): check the service account in GOOGLE_APPLICATION_CREDENTIALS ` +
          'has Storage Object Creator on the bucket.',
        DOWNLOAD_PATH,
      );
    }
    if (status === 412) return new InputError(`gs://${where.bucket}/${objectName} appeared while it was being written; not overwritten.`, DOWNLOAD_PATH);
    if (err instanceof InputError) return err;
    const reason = err instanceof Error ? err.message : String(err);
    return new Error(`Upload to gs://${where.bucket}/${objectName} failed: ${reason}`);
  };

  /** First free name; an account that may create but not read objects just gets the stamped name. */
  async function freeName(dir: string, fileName: string): Promise<string> {
    const bucket = (await client()).bucket(where.bucket);
    const stamp = uniqueStamp(now());
    for (let i = 0; i < MAX_UNIQUE_TRIES; i++) {
      const candidate = `${dir}${i === 0 ? fileName : withSuffix(fileName, i === 1 ? stamp : `${stamp}-${i}`)}`;
      if (written.has(pathOf(candidate))) continue;
      let exists: boolean;
      try {
        [exists] = await bucket.file(candidate).exists();
      } catch (err) {
        const status = statusOf(err);
        if (status === 401 || status === 403) return `${dir}${withSuffix(fileName, stamp)}`;
        throw err;
      }
      // Checked again after the await: another save of this run may have picked it meanwhile.
      if (!exists && !written.has(pathOf(candidate))) {
        written.add(pathOf(candidate));
        return candidate;
      }
    }
    throw new InputError(`No free name for "${fileName}" under ${root} (${DOWNLOAD_PATH}).`, DOWNLOAD_PATH);
  }

  return {
    kind: 'gcs',
    root,
    async save(name: string, body: ReadableStream<Uint8Array>, o: SaveOptions): Promise<SavedFile> {
      const fileName = safeAttachmentName(name);
      const folders = [where.prefix, o.subfolder === undefined ? '' : safeAttachmentName(o.subfolder, 'email')].filter(Boolean);
      const dir = folders.length ? `${folders.join('/')}/` : '';
      let objectName = `${dir}${fileName}`;
      // Without unique, objects of earlier runs are replaced, but not one this run wrote.
      const claim = o.unique ? undefined : written.claim(fileName, (n) => pathOf(`${dir}${n}`));
      if (claim) objectName = `${dir}${claim.name}`;
      try {
        return await upload(objectName, dir, fileName, body, o);
      } catch (err) {
        claim?.release();
        throw err;
      }
    },
  };

  /** One object: a free name when unique, then a streamed (resumable when big) upload. */
  async function upload(planned: string, dir: string, fileName: string, body: ReadableStream<Uint8Array>, o: SaveOptions): Promise<SavedFile> {
    let objectName = planned;
    try {
      if (o.unique) objectName = await freeName(dir, fileName);
    } catch (err) {
      await body.cancel(err).catch(() => undefined);
      throw explain(err, objectName);
    }
    let file;
    try {
      file = (await client()).bucket(where.bucket).file(objectName);
    } catch (err) {
      await body.cancel(err).catch(() => undefined);
      throw explain(err, objectName);
    }
    const contentType = o.contentType || 'application/octet-stream';
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>),
        counter,
        file.createWriteStream({
          resumable: o.size === undefined || o.size > RESUMABLE_THRESHOLD,
          contentType,
          metadata: { contentType },
          validation: 'crc32c',
          // Unique: refuse to replace an object that appeared since the name was chosen.
          ...(o.unique ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
        }),
      );
    } catch (err) {
      throw explain(err, objectName);
    }
    written.add(pathOf(objectName));
    return { path: pathOf(objectName), bytes };
  }
}
