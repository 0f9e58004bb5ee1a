/**
 * Attachments from a Cloud Storage bucket (`Attachment Location` = `GCP Bucket`): each path
 * (`gs://bucket/folder/file.pdf`, `bucket/folder/file.pdf`, or `/folder/file.pdf` in the bucket
 * `MSGRAPH_MAIL_GCS_BUCKET` names, as Download Attachments reads them) is checked first, every
 * missing object named at once, then streamed into a private temporary folder, so the send
 * pipeline plans and uploads it as it does a local file and no file is ever whole in memory.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Storage, StorageOptions } from '@google-cloud/storage';
import { DEFAULT_BUCKET_ENV, parseGcsPath } from '../destinations/gcs.ts';
import { safeAttachmentName } from '../destinations/safe-name.ts';
import { MissingAttachmentsError, type LocalAttachment } from './attachments-plan.ts';

export interface GcsAttachments {
  files: LocalAttachment[];
  /** Removes the temporary copies (call it whatever happened). */
  cleanup(): Promise<void>;
}

export interface GcsSourceOptions {
  storage?: Storage;
  storageOptions?: StorageOptions;
  defaultBucket?: string;
  /** The parameter the paths came from, for errors. */
  parameter: string;
}

export async function fetchGcsAttachments(paths: readonly string[], opts: GcsSourceOptions): Promise<GcsAttachments> {
  const defaultBucket = opts.defaultBucket ?? (process.env[DEFAULT_BUCKET_ENV] || undefined);
  const objects = paths.map((given) => {
    const where = parseGcsPath(given, defaultBucket, opts.parameter);
    return { given, bucket: where.bucket, name: where.prefix };
  });
  if (objects.length === 0) return { files: [], cleanup: async () => {} };
  const storage = opts.storage ?? new (await import('@google-cloud/storage')).Storage(opts.storageOptions);
  const missing: string[] = [];
  await Promise.all(
    objects.map(async (o) => {
      const [exists] = o.name === '' ? [false] : await storage.bucket(o.bucket).file(o.name).exists();
      if (!exists) missing.push(o.given);
    }),
  );
  if (missing.length > 0) throw new MissingAttachmentsError(paths.filter((p) => missing.includes(p)));
  const dir = await mkdtemp(path.join(tmpdir(), 'msgraph-mail-send-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const files: LocalAttachment[] = [];
    for (const [i, o] of objects.entries()) {
      const name = safeAttachmentName(path.posix.basename(o.name));
      // One subfolder per file: two objects of one name in different folders stay two files.
      const local = path.join(dir, String(i), name);
      await mkdir(path.dirname(local), { recursive: true });
      await pipeline(storage.bucket(o.bucket).file(o.name).createReadStream({ validation: false }), createWriteStream(local, { flags: 'wx' }));
      files.push({ path: local, name, size: (await stat(local)).size });
    }
    return { files, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
