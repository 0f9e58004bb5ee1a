/**
 * npm run bench:send [-- --mb N]
 *
 * Send Email with one N MB (default 20) attachment, the way a SOAR runs it: one `msgraph-mail run
 * "Send Email"` process of the compiled binary against a child-process emulator (demo tenant,
 * HTTP), the file going through an upload session in ranges read from disk. Then the recipient's
 * copy is read back through Graph and its sha256 compared. Prints one JSON line:
 * {"bytes", "seconds", "peak_rss_mb", "sha256_match", "route", "process", "rss_source"}; the
 * point is that the peak does not grow with the file (compare `--mb 5` and `--mb 25`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { configForEmulator } from '../src/cli/emulator-config.ts';
import { createGraphClient } from '../src/graph/client.ts';

interface EmulatorLine { graphEndpoint: string; loginEndpoint: string; tenantId: string; clientId: string; clientSecret: string; defaultMailbox: string }

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mbIndex = process.argv.indexOf('--mb');
const megabytes = mbIndex < 0 ? 20 : Number(process.argv[mbIndex + 1]);
// Exchange Online's default message size limit is 35 MB (the emulator refuses more at send).
if (!Number.isInteger(megabytes) || megabytes < 1 || megabytes > 25) throw new TypeError('--mb must be a whole number from 1 to 25 (the 35 MB message limit counts the base64 of the attachments)');
const TO = 'alice.martin@contoso.example';
const TIME = '/usr/bin/time';

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build.mjs --if-stale failed');

async function startChildEmulator(): Promise<{ child: ChildProcess; info: EmulatorLine }> {
  const child = spawn(process.execPath, [path.join(root, 'bin/msgraph-mail.js'), 'emulator', '--http', '--port', '0', '--seed', 'demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<EmulatorLine>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as EmulatorLine));
  });
  return { child, info };
}

const { child, info } = await startChildEmulator();
const dir = await mkdtemp(path.join(tmpdir(), 'bench-send-'));
try {
  // The file is written in 1 MB pieces: the bench itself never holds it whole either.
  const file = path.join(dir, 'evidence.bin');
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  const piece = Buffer.allocUnsafe(1024 * 1024);
  for (let i = 0; i < megabytes; i++) {
    randomFillSync(piece);
    hash.update(piece);
    writeSync(fd, piece);
  }
  closeSync(fd);
  const expected = hash.digest('hex');
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(configForEmulator(info, { 'Verify SSL': false })));
  const subject = `bench:send ${megabytes} MB ${Date.now()}`;
  const cli = [path.join(root, 'bin/msgraph-mail.js'), 'run', 'Send Email', '--config', configPath, '--param', `Send to=${TO}`, '--param', `Subject=${subject}`, '--param', 'Mail Content=see attachment', '--param', `Attachments Paths=${file}`];
  const useTime = existsSync(TIME);
  const rssFile = path.join(dir, 'rss');
  const started = performance.now();
  const run = spawn(useTime ? TIME : process.execPath, useTime ? ['-f', '%M', '-o', rssFile, process.execPath, ...cli] : cli, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  run.stdout!.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => run.once('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`msgraph-mail run exited ${code}: ${out}`);
  const peakRssMb = useTime ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop()) / 1024 : NaN;

  const graph = createGraphClient({ loginEndpoint: info.loginEndpoint, graphEndpoint: info.graphEndpoint, tenant: info.tenantId, clientId: info.clientId, clientSecret: info.clientSecret });
  const list = await graph.get<{ value: Array<{ id: string; subject: string }> }>(`/users/${TO}/mailFolders/inbox/messages`, { query: { $select: 'id,subject', $top: 50 } });
  const got = list.value.find((m) => m.subject === subject);
  if (!got) throw new Error('the email did not arrive');
  const atts = await graph.get<{ value: Array<{ id: string; size: number }> }>(`/users/${TO}/messages/${got.id}/attachments`, { query: { $select: 'id,size' } });
  const res = await graph.request<ReadableStream<Uint8Array>>({ method: 'GET', path: `/users/${TO}/messages/${got.id}/attachments/${atts.value[0].id}/$value`, responseType: 'stream', mailbox: TO });
  const back = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    back.update(chunk);
    bytes += chunk.byteLength;
  }
  await graph.close();
  const match = back.digest('hex') === expected;
  process.stdout.write(`${JSON.stringify({
    bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    peak_rss_mb: Math.round(peakRssMb * 10) / 10,
    sha256_match: match,
    route: megabytes * 1024 * 1024 >= 3_000_000 ? 'upload session' : 'attachment POST',
    process: 'msgraph-mail run "Send Email" (bin/msgraph-mail.js, dist/)',
    rss_source: useTime ? '/usr/bin/time -f %M (wait4 ru_maxrss)' : 'unavailable',
  })}\n`);
  if (!match) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
