/**
 * A 20 MB attachment is read from disk one range at a time: every read of the file is
 * recorded (fs/promises `open` wrapped), none larger than a range, none repeated, and no
 * other way of reading it (readFile, streams) is used. Peak RSS is printed for the record.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGraphClient } from '../../../src/graph/index.ts';
import { DEFAULT_CHUNK_BYTES, uploadAttachment } from '../../../src/mail/send/upload-session.ts';
import { FakeClock, SECRET } from '../../graph/helpers.ts';
import { startUploadServer, type UploadServer } from './upload-server.ts';

const reads: Array<{ file: string; length: number; position: number }> = [];
const wholeReads: string[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    readFile: async (...args: Parameters<typeof real.readFile>) => {
      wholeReads.push(String(args[0]));
      return real.readFile(...args);
    },
    open: async (file: string, flags?: string) => {
      const handle = await real.open(file, flags);
      const read = handle.read.bind(handle) as (b: Buffer, o: number, l: number, p: number) => Promise<{ bytesRead: number; buffer: Buffer }>;
      (handle as unknown as { read: typeof read }).read = (buffer, offset, length, position) => {
        reads.push({ file: String(file), length, position });
        return read(buffer, offset, length, position);
      };
      return handle;
    },
  };
});

let dir: string;
let server: UploadServer;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(tmpdir(), 'upload-mem-'));
  server = await startUploadServer();
});
afterAll(async () => {
  await server.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('a 20 MB attachment', () => {
  it('is read range by range, never whole', async () => {
    const size = 20 * 1024 * 1024;
    const bytes = randomBytes(size);
    const file = path.join(dir, 'capture.pcap');
    await fsp.writeFile(file, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const graph = createGraphClient({ loginEndpoint: server.url, graphEndpoint: server.url, tenant: 't', clientId: 'c', clientSecret: SECRET, clock: new FakeClock() });
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    await uploadAttachment(graph, 'soc@contoso.example', 'DRAFT1', { path: file, name: 'capture.pcap', size }, { onRange: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
    await graph.close();
    const ofFile = reads.filter((r) => r.file === file);
    expect(ofFile.length).toBe(Math.ceil(size / DEFAULT_CHUNK_BYTES));
    expect(Math.max(...ofFile.map((r) => r.length))).toBeLessThanOrEqual(DEFAULT_CHUNK_BYTES);
    expect(ofFile.reduce((s, r) => s + r.length, 0)).toBe(size);
    expect(new Set(ofFile.map((r) => r.position)).size).toBe(ofFile.length);
    expect(wholeReads).not.toContain(file);
    expect(server.digests.get('S1')).toBe(sha256);
    console.log(`20 MiB upload: ${ofFile.length} reads of at most ${DEFAULT_CHUNK_BYTES} bytes; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB during (process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, the test's own 20 MiB buffer included)`);
  });
});
