import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGraphClient, GraphError, type GraphClient } from '../../../src/graph/index.ts';
import type { LocalAttachment } from '../../../src/mail/send/attachments-plan.ts';
import { DEFAULT_CHUNK_BYTES, attachmentIdFromLocation, nextOffset, rangeStart, uploadAttachment } from '../../../src/mail/send/upload-session.ts';
import { FakeClock, SECRET } from '../../graph/helpers.ts';
import { startUploadServer, type UploadServer } from './upload-server.ts';

const MAILBOX = 'soc@contoso.example';
const DRAFT = 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A';
let dir: string;
let server: UploadServer;
let graph: GraphClient;
const files = new Map<number, { file: LocalAttachment; sha256: string }>();

async function fileOf(size: number): Promise<{ file: LocalAttachment; sha256: string }> {
  const known = files.get(size);
  if (known) return known;
  const bytes = randomBytes(size);
  const p = path.join(dir, `evidence-${size}.bin`);
  await writeFile(p, bytes);
  const made = { file: { path: p, name: `evidence-${size}.bin`, size }, sha256: createHash('sha256').update(bytes).digest('hex') };
  files.set(size, made);
  return made;
}

const noWait = { backoffMs: () => 0 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'upload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startUploadServer();
  graph = createGraphClient({ loginEndpoint: server.url, graphEndpoint: server.url, tenant: 't', clientId: 'c', clientSecret: SECRET, clock: new FakeClock(), timeoutMs: 10_000 });
});
afterEach(async () => {
  await graph.close();
  await server.close();
});

describe('next ranges', () => {
  it('read every form the docs show', () => {
    expect(rangeStart('0-')).toBe(0);
    expect(rangeStart('2097152')).toBe(2097152);
    expect(rangeStart('1998457-2097094')).toBe(1998457);
    expect(nextOffset(['4194304', '2097152-3000000'])).toBe(2097152);
    expect(nextOffset([])).toBeUndefined();
    expect(() => rangeStart('soon')).toThrow(GraphError);
    expect(attachmentIdFromLocation("https://outlook.office.com/api/v2.0/Users('a')/Messages('b')/Attachments('AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=')")).toBe('AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=');
  });
});

describe('upload sessions', () => {
  it('upload a 20 MB file in ranges of a multiple of 320 KiB, in order, without the token, and return what the 201 gave', async () => {
    const { file, sha256 } = await fileOf(20_000_000);
    const result = await uploadAttachment(graph, MAILBOX, DRAFT, file, noWait);
    expect(result).toMatchObject({ name: file.name, size: file.size, attachmentId: 'ATT-S1', sessions: 1, resentRanges: 0 });
    expect(result.location).toMatch(/\/Attachments\('ATT-S1'\)$/);
    expect(server.createBodies).toEqual([{ AttachmentItem: { attachmentType: 'file', name: file.name, size: 20_000_000 } }]);
    expect(server.createHeaders[0].authorization).toMatch(/^Bearer /);
    expect(server.createHeaders[0].prefer).toBe('IdType="ImmutableId"');
    expect(DEFAULT_CHUNK_BYTES % (320 * 1024)).toBe(0);
    expect(server.puts).toHaveLength(Math.ceil(20_000_000 / DEFAULT_CHUNK_BYTES));
    let expected = 0;
    for (const put of server.puts) {
      expect(put.authorization).toBeUndefined();
      expect(put.contentType).toBe('application/octet-stream');
      expect(put.length).toBeLessThanOrEqual(DEFAULT_CHUNK_BYTES);
      expect(put.range).toBe(`bytes ${expected}-${expected + put.length - 1}/20000000`);
      expect(put.contentLength).toBe(String(put.length));
      expected += put.length;
    }
    expect(server.puts.map((p) => p.status)).toEqual([...Array(server.puts.length - 1).fill(200), 201]);
    expect(server.digests.get('S1')).toBe(sha256);
    expect(server.deletes).toEqual([]);
  });

  it('after a failed range, send it again from where the service said and finish byte-identical', async () => {
    const { file, sha256 } = await fileOf(10_000_000);
    server.failPuts.add(2);
    const result = await uploadAttachment(graph, MAILBOX, DRAFT, file, noWait);
    expect(result.resentRanges).toBe(1);
    expect(server.puts.map((p) => p.status)).toEqual([200, 500, 200, 200, 201]);
    expect(server.puts[1].range).toBe(server.puts[2].range);
    expect(server.digests.get('S1')).toBe(sha256);
  });

  it('a session the service forgot is replaced by a new one from byte 0, the old one cancelled', async () => {
    const { file, sha256 } = await fileOf(10_000_000);
    server.forgetFirstSessionAfterPuts = 2;
    const result = await uploadAttachment(graph, MAILBOX, DRAFT, file, noWait);
    expect(result.sessions).toBe(2);
    expect(server.deletes).toEqual(['S1']);
    const second = server.puts.filter((p) => p.session === 'S2');
    expect(second[0].range).toBe(`bytes 0-${DEFAULT_CHUNK_BYTES - 1}/10000000`);
    expect(server.digests.get('S2')).toBe(sha256);
  });

  it('a session about to expire is replaced before its next range', async () => {
    const { file, sha256 } = await fileOf(10_000_000);
    let shift = 0;
    const clock = { now: () => Date.now() + shift, sleep: async () => undefined };
    const result = await uploadAttachment(graph, MAILBOX, DRAFT, file, {
      ...noWait,
      clock,
      onRange: ({ start }) => {
        if (start === 0 && shift === 0) {
          // Twenty minutes pass during the first range; the next session lives an hour.
          shift = 20 * 60_000;
          server.sessionLifetimeMs = 60 * 60_000;
        }
      },
    });
    expect(result.sessions).toBe(2);
    expect(server.puts.filter((p) => p.session === 'S1')).toHaveLength(1);
    expect(server.deletes).toEqual(['S1']);
    expect(server.digests.get('S2')).toBe(sha256);
  });

  it('gives up after a bounded number of new sessions, each cancelled', async () => {
    const { file } = await fileOf(10_000_000);
    server.sessionLifetimeMs = 30_000; // inside the default 60 s margin: never usable
    const err = await uploadAttachment(graph, MAILBOX, DRAFT, file, { ...noWait, maxNewSessions: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UploadSessionExpired' });
    expect(server.sessions).toHaveLength(3);
    expect(server.deletes).toEqual(['S1', 'S2', 'S3']);
    expect(server.puts).toHaveLength(0);
  });

  it('a range that keeps failing cancels the session and throws Graph\'s error without the upload URL\'s credential', async () => {
    const { file } = await fileOf(10_000_000);
    for (let n = 2; n < 20; n++) server.failPuts.add(n);
    const err = (await uploadAttachment(graph, MAILBOX, DRAFT, file, { ...noWait, maxRangeRetries: 3 }).catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.status).toBe(500);
    expect(server.puts).toHaveLength(1 + 4);
    expect(server.deletes).toEqual(['S1']);
    expect(JSON.stringify([err.message, String(err.stack)])).not.toContain('secret-part');
  });

  it('a file under the session minimum is refused by the service with its documented code', async () => {
    const { file } = await fileOf(2_000_000);
    const err = await uploadAttachment(graph, MAILBOX, DRAFT, file, noWait).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize' });
    expect(server.puts).toHaveLength(0);
  });

  it('refuses a chunk size that is not a multiple of 320 KiB', async () => {
    const { file } = await fileOf(10_000_000);
    await expect(uploadAttachment(graph, MAILBOX, DRAFT, file, { chunkBytes: 1_000_000 })).rejects.toThrow(/320 KiB/);
    expect(server.sessions).toHaveLength(0);
  });

  it('send goes over the real transport with Content-Length 0 and no body (message-send.md)', async () => {
    await graph.request({ method: 'POST', path: `/users/${MAILBOX}/messages/${DRAFT}/send`, headers: { 'Content-Length': '0' } });
    expect(server.sends).toHaveLength(1);
    expect(server.sends[0].headers['content-length']).toBe('0');
    expect(server.sends[0].headers['transfer-encoding']).toBeUndefined();
    expect(server.sends[0].bodyBytes).toBe(0);
  });
});
