import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDestination, createLocalDestination } from '../../src/mail/destinations/index.ts';
import { InputError } from '../../src/soar/errors.ts';

function streamOf(...parts: Array<string | Error>): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const p = parts[i++];
      if (p === undefined) controller.close();
      else if (p instanceof Error) controller.error(p);
      else controller.enqueue(new TextEncoder().encode(p));
    },
  });
}

/** A stream that records whether it was cancelled. */
function watched(text: string): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new TextEncoder().encode(text));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'att-local-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FIXED = () => new Date(Date.UTC(2024, 0, 31, 10, 15, 2, 123));

describe('local destination', () => {
  it('streams to the folder, creating it, and reports path and bytes', async () => {
    const root = path.join(dir, 'a', 'b');
    const d = createLocalDestination(root);
    const saved = await d.save('invoice.pdf', streamOf('hello ', 'world'), { unique: false });
    expect(saved).toEqual({ path: path.join(root, 'invoice.pdf'), bytes: 11 });
    expect(await readFile(saved.path, 'utf8')).toBe('hello world');
  });

  it('overwrites files of earlier runs without unique, never with unique (suffix before the extension)', async () => {
    await createLocalDestination(dir, { now: FIXED }).save('r.txt', streamOf('one'), { unique: false });
    // A new destination is a new run: the earlier run's file is overwritten, as documented.
    const d = createLocalDestination(dir, { now: FIXED });
    const second = await d.save('r.txt', streamOf('two'), { unique: false });
    expect(second.path).toBe(path.join(dir, 'r.txt'));
    expect(await readFile(second.path, 'utf8')).toBe('two');

    const third = await d.save('r.txt', streamOf('three'), { unique: true });
    const fourth = await d.save('r.txt', streamOf('four'), { unique: true });
    expect(third.path).toBe(path.join(dir, 'r-2024_01_31-10_15_02_123.txt'));
    expect(fourth.path).toBe(path.join(dir, 'r-2024_01_31-10_15_02_123-2.txt'));
    expect(await readFile(path.join(dir, 'r.txt'), 'utf8')).toBe('two');
    expect(await readFile(third.path, 'utf8')).toBe('three');
    expect(await readFile(fourth.path, 'utf8')).toBe('four');
  });

  it('without unique, never overwrites a file of the same run: a repeated name gets -2, -3 (also at once, and across invocations via taken)', async () => {
    const d = createLocalDestination(dir);
    const first = await d.save('image001.png', streamOf('mailbox A'), { unique: false });
    const [second, third] = await Promise.all([
      d.save('image001.png', streamOf('mailbox B'), { unique: false }),
      d.save('image001.png', streamOf('mailbox C'), { unique: false }),
    ]);
    expect([first.path, second.path, third.path]).toEqual(['image001.png', 'image001-2.png', 'image001-3.png'].map((n) => path.join(dir, n)));
    expect(await Promise.all([first, second, third].map((f) => readFile(f.path, 'utf8')))).toEqual(['mailbox A', 'mailbox B', 'mailbox C']);

    // A failed save gives its name back.
    await expect(d.save('broken.txt', streamOf('x', new Error('network')), { unique: false })).rejects.toThrow();
    expect((await d.save('broken.txt', streamOf('ok'), { unique: false })).path).toBe(path.join(dir, 'broken.txt'));

    // The next invocation of the same async run, told what the earlier ones wrote.
    const next = createDestination('Local File System', dir, { taken: [first.path, second.path, third.path] });
    const fourth = await next.save('image001.png', streamOf('mailbox D'), { unique: false });
    expect(fourth.path).toBe(path.join(dir, 'image001-4.png'));
    expect(await readFile(first.path, 'utf8')).toBe('mailbox A');
  });

  it('keeps the plain name with unique when it is free', async () => {
    const d = createLocalDestination(dir, { now: FIXED });
    expect((await d.save('free.txt', streamOf('x'), { unique: true })).path).toBe(path.join(dir, 'free.txt'));
  });

  it('many unique saves of one name at once all land, none overwritten', async () => {
    const d = createLocalDestination(dir, { now: FIXED });
    const saved = await Promise.all(Array.from({ length: 12 }, (_, i) => d.save('same.bin', streamOf(`n${i}`), { unique: true })));
    expect(new Set(saved.map((s) => s.path)).size).toBe(12);
    const contents = await Promise.all(saved.map((s) => readFile(s.path, 'utf8')));
    expect(contents.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `n${i}`).sort());
  });

  it('writes hostile names inside the download path only', async () => {
    const root = path.join(dir, 'dl');
    const d = createLocalDestination(root);
    for (const name of ['../../escape.txt', '/etc/cron.d/x', '..\\..\\win.txt', '..', 'CON', 'a\u0000b']) {
      const saved = await d.save(name, streamOf('x'), { unique: true });
      expect(path.dirname(saved.path)).toBe(root);
    }
    expect(await readdir(dir)).toEqual(['dl']);
    // Subfolders are made safe the same way.
    const sub = await d.save('x.txt', streamOf('x'), { unique: false, subfolder: '../../up' });
    expect(sub.path).toBe(path.join(root, '_.._.._up', 'x.txt'));
  });

  it('leaves no file when the body fails midway', async () => {
    const d = createLocalDestination(dir);
    await expect(d.save('broken.bin', streamOf('partial', new Error('connection reset')), { unique: false })).rejects.toThrow('connection reset');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a folder it cannot create is an error naming Download Path, and the body is cancelled', async () => {
    const blocker = path.join(dir, 'file');
    await writeFile(blocker, 'in the way');
    const d = createLocalDestination(path.join(blocker, 'sub'));
    const body = watched('data');
    const err = await d.save('x.txt', body.stream, { unique: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).parameter).toBe('Download Path');
    expect((err as Error).message).toMatch(/Download Path/);
    expect(body.cancelled()).toBe(true);
  });

  it('a name taken by a folder is an error naming Download Path, leaving no temp file', async () => {
    const d = createLocalDestination(dir);
    await d.save('x.txt', streamOf('a'), { unique: false, subfolder: 'taken' });
    const err = await d.save('taken', streamOf('data'), { unique: false }).catch((e: unknown) => e);
    expect((err as InputError).parameter).toBe('Download Path');
    expect((await readdir(dir)).sort()).toEqual(['taken']);
  });

  it('rejects an empty Download Path and an unknown destination by name', () => {
    expect(() => createLocalDestination('  ')).toThrow(/Download Path/);
    expect(() => createDestination('Dropbox', '/tmp/x')).toThrow(/Download Destination/);
    expect(createDestination('local file system', dir).kind).toBe('local');
    expect(createDestination('GCP Bucket', 'gs://bucket-a/x').kind).toBe('gcs');
  });
});
