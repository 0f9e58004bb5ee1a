/**
 * The emulator's GCS subset driven by the real @google-cloud/storage client, and the GCP Bucket
 * destination on top of it (the client's own CRC32C validation checks every transfer).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createGcsDestination, parseGcsPath, RESUMABLE_THRESHOLD } from '../../src/mail/destinations/index.ts';
import { InputError } from '../../src/soar/errors.ts';

let emu: RunningEmulator;
let storage: Storage;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, http: true, seed: 'empty', quiet: true });
  storage = new Storage({ apiEndpoint: emu.url, projectId: 'test-project', retryOptions: { maxRetries: 0 } });
});
afterAll(async () => {
  await emu?.close();
});

function streamOf(bytes: Buffer, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('emulator GCS subset with the real client', () => {
  it('simple (multipart) upload, metadata with real hashes, download, list, delete', async () => {
    const bucket = storage.bucket('subset-a');
    await bucket.file('dir/hello.txt').save('hello world', { resumable: false, contentType: 'text/plain' });
    const [meta] = await bucket.file('dir/hello.txt').getMetadata();
    expect(meta).toMatchObject({ name: 'dir/hello.txt', bucket: 'subset-a', size: '11', contentType: 'text/plain' });
    expect(meta.md5Hash).toBe(createHash('md5').update('hello world').digest('base64'));
    expect(meta.crc32c).toBe('yZRlqg=='); // CRC32C("hello world"), as GCS reports it
    expect((await bucket.file('dir/hello.txt').download())[0].toString()).toBe('hello world');
    await bucket.file('dir/sub/x.bin').save(Buffer.from([1, 2, 3]), { resumable: false });
    await bucket.file('top.txt').save('t', { resumable: false });
    const [all] = await bucket.getFiles();
    expect(all.map((f) => f.name)).toEqual(['dir/hello.txt', 'dir/sub/x.bin', 'top.txt']);
    const [underDir] = await bucket.getFiles({ prefix: 'dir/' });
    expect(underDir.map((f) => f.name)).toEqual(['dir/hello.txt', 'dir/sub/x.bin']);
    await bucket.file('top.txt').delete();
    expect((await bucket.file('top.txt').exists())[0]).toBe(false);
    expect((await bucket.exists())[0]).toBe(true);
    expect((await storage.bucket('never-made').exists())[0]).toBe(false);
  });

  it('resumable uploads in one request and in 256 KiB chunks (308 + Range), ranged reads', async () => {
    const bucket = storage.bucket('subset-b');
    const data = randomBytes(700 * 1024 + 5);
    await bucket.file('one-shot.bin').save(data, { resumable: true });
    await new Promise<void>((resolve, reject) => {
      const ws = bucket.file('chunked.bin').createWriteStream({ resumable: true, chunkSize: 256 * 1024 });
      ws.on('error', reject).on('finish', resolve);
      ws.end(data);
    });
    for (const name of ['one-shot.bin', 'chunked.bin']) {
      const [got] = await bucket.file(name).download();
      expect(sha(got), name).toBe(sha(data));
    }
    const [slice] = await bucket.file('chunked.bin').download({ start: 1000, end: 1999 });
    expect(slice.equals(data.subarray(1000, 2000))).toBe(true);
  });

  it('honours ifGenerationMatch=0 (create only) with 412', async () => {
    const f = storage.bucket('subset-c').file('once.txt');
    await f.save('first', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const err = await f.save('second', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(412);
    expect((await f.download())[0].toString()).toBe('first');
  });

  it('works through STORAGE_EMULATOR_HOST (JSON routes without the /storage/v1 prefix)', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = emu.url;
    let viaEnv: Storage;
    try {
      viaEnv = new Storage({ projectId: 'test-project', retryOptions: { maxRetries: 0 } });
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
    await viaEnv.bucket('subset-env').file('naïve name/ü.txt').save('via env', { resumable: false });
    expect((await viaEnv.bucket('subset-env').file('naïve name/ü.txt').download())[0].toString()).toBe('via env');
    expect((await storage.bucket('subset-env').file('naïve name/ü.txt').exists())[0]).toBe(true);
  });

  it('rejects bad bucket names and unknown query options loudly', async () => {
    const err = await storage.bucket('UPPER_case').file('x').save('x', { resumable: false }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(400);
    const res = await fetch(`${emu.url}/storage/v1/b/subset-a/o?frobnicate=1`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/frobnicate/);
  });

  it('admin API creates and lists buckets', async () => {
    const created = await fetch(`${emu.url}/_emulator/gcs/buckets`, { method: 'POST', body: JSON.stringify({ name: 'made-by-admin' }) });
    expect(created.status).toBe(201);
    expect((await storage.bucket('made-by-admin').exists())[0]).toBe(true);
    const listed = (await (await fetch(`${emu.url}/_emulator/gcs/buckets`)).json()) as { buckets: Array<{ name: string }> };
    expect(listed.buckets.map((b) => b.name)).toContain('made-by-admin');
    expect((await fetch(`${emu.url}/_emulator/gcs/buckets`, { method: 'POST', body: JSON.stringify({ name: 'Not Valid' }) })).status).toBe(400);
  });
});

describe('GCP Bucket destination', () => {
  it('parses Download Path into bucket and prefix', () => {
    expect(parseGcsPath('gs://soc-bucket/phish/2024')).toEqual({ bucket: 'soc-bucket', prefix: 'phish/2024' });
    expect(parseGcsPath('soc-bucket/phish/')).toEqual({ bucket: 'soc-bucket', prefix: 'phish' });
    expect(parseGcsPath('soc-bucket')).toEqual({ bucket: 'soc-bucket', prefix: '' });
    // The documented Unix-like form, with a configured default bucket.
    expect(parseGcsPath('/tmp/test', 'soc-bucket')).toEqual({ bucket: 'soc-bucket', prefix: 'tmp/test' });
    expect(parseGcsPath('gs://other/x', 'soc-bucket')).toEqual({ bucket: 'other', prefix: 'x' });
    // Without a leading slash the first level is the bucket, default or not.
    expect(parseGcsPath('other/x', 'soc-bucket')).toEqual({ bucket: 'other', prefix: 'x' });
    // Without a default bucket, /tmp/test is not read as the bucket "tmp" (somebody else's).
    for (const rooted of ['/tmp/test', '\\tmp\\test', '/']) {
      const err = (() => {
        try {
          parseGcsPath(rooted);
        } catch (e) {
          return e;
        }
      })();
      expect(err, rooted).toBeInstanceOf(InputError);
      expect((err as InputError).parameter).toBe('Download Path');
      expect((err as Error).message).toContain('MSGRAPH_MAIL_GCS_BUCKET');
    }
    expect(() => createGcsDestination('/tmp/test', { storage, defaultBucket: '' })).toThrow(/names no bucket: use gs:\/\/bucket-name\/tmp\/test, or set MSGRAPH_MAIL_GCS_BUCKET/);
    for (const bad of ['', 'gs://', 'Bad_Bucket/x', 'gs://b/../x', 'ab/x', 'goog-bucket/x', 'bucket/a\nb']) {
      const err = (() => {
        try {
          parseGcsPath(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(InputError);
      expect((err as InputError).parameter).toBe('Download Path');
    }
  });

  it('streams an attachment into the bucket (resumable for big files), read back with the client', async () => {
    const dest = createGcsDestination('gs://soc-evidence/case-42', { storage });
    expect(dest.root).toBe('gs://soc-evidence/case-42');
    const big = randomBytes(RESUMABLE_THRESHOLD + 1000);
    const saved = await dest.save('../../evil/dump.bin', streamOf(big), { unique: false, contentType: 'application/x-dump' });
    expect(saved).toEqual({ path: 'gs://soc-evidence/case-42/_.._.._evil_dump.bin', bytes: big.length });
    const file = storage.bucket('soc-evidence').file('case-42/_.._.._evil_dump.bin');
    expect(sha((await file.download())[0])).toBe(sha(big));
    expect((await file.getMetadata())[0].contentType).toBe('application/x-dump');
    const small = await dest.save('note.txt', streamOf(Buffer.from('small')), { unique: false, size: 5, subfolder: 'AAMk/msg==' });
    expect(small.path).toBe('gs://soc-evidence/case-42/AAMk_msg==/note.txt');
    expect((await storage.bucket('soc-evidence').file('case-42/AAMk_msg==/note.txt').download())[0].toString()).toBe('small');
  });

  it('a tenant reset empties the buckets', async () => {
    await storage.bucket('before-reset').file('x').save('x', { resumable: false });
    expect((await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', body: JSON.stringify({ seed: 'empty' }) })).status).toBe(200);
    expect((await storage.bucket('before-reset').exists())[0]).toBe(false);
  });

  it('unique never overwrites an object; plain saves do', async () => {
    const dest = createGcsDestination('gs://soc-unique/x', { storage, now: () => new Date(Date.UTC(2024, 0, 31, 10, 15, 2, 123)) });
    const a = await dest.save('r.txt', streamOf(Buffer.from('one')), { unique: true, size: 3 });
    const b = await dest.save('r.txt', streamOf(Buffer.from('two')), { unique: true, size: 3 });
    const c = await dest.save('r.txt', streamOf(Buffer.from('three')), { unique: true, size: 5 });
    expect([a.path, b.path, c.path]).toEqual([
      'gs://soc-unique/x/r.txt',
      'gs://soc-unique/x/r-2024_01_31-10_15_02_123.txt',
      'gs://soc-unique/x/r-2024_01_31-10_15_02_123-2.txt',
    ]);
    expect((await storage.bucket('soc-unique').file('x/r.txt').download())[0].toString()).toBe('one');
    // A later run (a new destination) replaces without unique, as documented.
    const later = createGcsDestination('gs://soc-unique/x', { storage });
    await later.save('r.txt', streamOf(Buffer.from('replaced')), { unique: false, size: 8 });
    expect((await storage.bucket('soc-unique').file('x/r.txt').download())[0].toString()).toBe('replaced');
    // Within one run a repeated name is suffixed, never replaced.
    const again = await later.save('r.txt', streamOf(Buffer.from('same run')), { unique: false, size: 8 });
    expect(again.path).toBe('gs://soc-unique/x/r-2.txt');
    expect((await storage.bucket('soc-unique').file('x/r.txt').download())[0].toString()).toBe('replaced');
    // ...also across the invocations of one async run.
    const next = createGcsDestination('gs://soc-unique/x', { storage, taken: ['gs://soc-unique/x/r.txt', again.path] });
    expect((await next.save('r.txt', streamOf(Buffer.from('3rd')), { unique: false, size: 3 })).path).toBe('gs://soc-unique/x/r-3.txt');
  });

  it('a refused upload is an error naming Download Path, and the body is cancelled', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    // An endpoint where no bucket exists answers 404.
    const dest = createGcsDestination('gs://soc-refused/x', { storage: new Storage({ apiEndpoint: `${emu.url}/nowhere`, projectId: 'p', retryOptions: { maxRetries: 0 } }) });
    const err = await dest.save('x.bin', body, { unique: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).parameter).toBe('Download Path');
    expect((err as Error).message).toMatch(/soc-refused/);
    expect(cancelled).toBe(true);
  });
});
