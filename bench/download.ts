/**
 * npm run bench:download [-- --mb N]
 *
 * One message gets one N MB (default 100) attachment, seeded through the emulator's admin API
 * (streamed from a third process, bench/download-seed.mjs); then "Download Attachments From
 * Email" saves it to the local file system the way a SOAR runs it: one `msgraph-mail run ...
 * --wait` process of the real binary (bin/msgraph-mail.js, the compiled dist/, rebuilt first if a
 * source is newer). The emulator runs in a separate child process too (`msgraph-mail emulator`),
 * so only the downloading process is measured. Prints one JSON line: {"bytes", "seconds",
 * "peak_rss_mb", "sha256_match", "process", "rss_source"}.
 *
 * - `seconds`: the `msgraph-mail run` process from spawn to exit (start-up included);
 * - `peak_rss_mb`: that process's high-water resident set as the kernel reports it at exit
 *   (wait4's ru_maxrss through `/usr/bin/time -f %M`; without that program, the child's own
 *   `process.resourceUsage().maxRSS` read by a preload in its exit handler). Target: 100 MB.
 */
import { configForEmulator } from '../src/cli/emulator-config.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

interface EmulatorLine {
  graphEndpoint: string;
  loginEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  defaultMailbox: string;
}

const MiB = 1024 * 1024;
const mbIndex = process.argv.indexOf('--mb');
const megabytes = mbIndex < 0 ? 100 : Number(process.argv[mbIndex + 1]);
if (!Number.isInteger(megabytes) || megabytes < 1) throw new TypeError('--mb must be a whole number of at least 1');
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function startChildEmulator(): Promise<{ child: ChildProcess; info: EmulatorLine }> {
  const child = spawn(process.execPath, [path.join(root, 'bin/msgraph-mail.js'), 'emulator', '--http', '--port', '0', '--seed', 'empty'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<EmulatorLine>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as EmulatorLine));
  });
  return { child, info };
}

async function admin<T>(base: string, method: string, p: string, body: string, contentType: string): Promise<T> {
  const res = await fetch(`${base}/_emulator${p}`, { method, headers: { 'content-type': contentType }, body });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Seeds the attachment from a third process (bench/download-seed.mjs); returns the bytes' sha256. */
async function uploadAttachment(base: string, mailbox: string, messageId: string, size: number): Promise<string> {
  const url = new URL(`${base}/_emulator/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(messageId)}/attachments`);
  url.searchParams.set('name', 'big-attachment.bin');
  url.searchParams.set('contentType', 'application/octet-stream');
  const seeder = spawn(process.execPath, [path.join(root, 'bench/download-seed.mjs'), url.href, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  seeder.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => seeder.once('exit', resolve));
  if (code !== 0) throw new Error(`seeding failed (exit ${code})`);
  return out.trim();
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const TIME = '/usr/bin/time';
/** Fallback probe: the child reports its own maxRSS (KB) on fd 3 as it exits. */
const PRELOAD = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(3, String(process.resourceUsage().maxRSS)));")}`;

interface Measured {
  seconds: number;
  peakRssMb: number;
  doc: { is_success: boolean; output_message: string; json_result: unknown };
}

/** Download Attachments From Email in its own `msgraph-mail run --wait` process, as a SOAR runs it. */
async function downloadWithCli(info: EmulatorLine, mailbox: string, messageId: string, dir: string): Promise<Measured> {
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(configForEmulator(info, { 'Verify SSL': false })));
  const params = {
    'Search In Mailbox': mailbox,
    'Folder Name': 'Inbox',
    'Download Destination': 'Local File System',
    'Download Path': path.join(dir, 'out'),
    'Mail IDs': messageId,
  };
  const cli = [path.join(root, 'bin/msgraph-mail.js'), 'run', 'Download Attachments From Email', '--config', configPath, '--wait', '--poll-interval', '0.01'];
  for (const [name, value] of Object.entries(params)) cli.push('--param', `${name}=${value}`);
  const useTime = existsSync(TIME);
  const rssFile = path.join(dir, 'rss');
  const [file, args] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...cli]] : [process.execPath, ['--import', PRELOAD, ...cli]];
  const started = performance.now();
  const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit', useTime ? 'ignore' : 'pipe'] });
  let out = '';
  let probe = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stdio[3]?.on('data', (d: Buffer) => (probe += d));
  let seconds = 0;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      seconds = (performance.now() - started) / 1000;
      resolve(code);
    });
  });
  const [code] = await Promise.all([exited, new Promise((resolve) => child.once('close', resolve))]);
  if (code !== 0) throw new Error(`msgraph-mail run exited ${code}: ${out}`);
  const rssKb = Number(useTime ? (await readFile(rssFile, 'utf8')).trim().split('\n').pop() : probe);
  return { seconds, peakRssMb: rssKb / 1024, doc: JSON.parse(out) as Measured['doc'] };
}

// The binary runs dist/: measure the code as it is now, not an older build.
const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build.mjs --if-stale failed');

const { child, info } = await startChildEmulator();
const dir = await mkdtemp(path.join(tmpdir(), 'bench-download-'));
try {
  const mailbox = info.defaultMailbox;
  const raw = [`From: Sender <sender@contoso.example>`, `To: ${mailbox}`, 'Subject: bench: one big attachment', `Message-ID: <bench.${Date.now()}@contoso.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'see attachment', ''].join('\r\n');
  const message = await admin<{ id: string }>(info.graphEndpoint, 'POST', `/users/${encodeURIComponent(mailbox)}/messages?folder=Inbox`, raw, 'message/rfc822');
  const size = megabytes * MiB;
  log(`seeding a ${megabytes} MB attachment in a child-process emulator...`);
  const expected = await uploadAttachment(info.graphEndpoint, mailbox, message.id, size);

  log('downloading through `msgraph-mail run "Download Attachments From Email" --wait`...');
  const { seconds, peakRssMb, doc } = await downloadWithCli(info, mailbox, message.id, dir);
  if (!doc.is_success) throw new Error(`action failed: ${doc.output_message}`);
  const saved = (doc.json_result as Array<{ downloaded_path: string }>)[0].downloaded_path;
  const { size: bytes } = await stat(saved);
  const match = (await sha256Of(saved)) === expected;
  process.stdout.write(
    `${JSON.stringify({
      bytes,
      seconds: Math.round(seconds * 1000) / 1000,
      peak_rss_mb: Math.round(peakRssMb * 10) / 10,
      sha256_match: match,
      process: 'msgraph-mail run --wait (bin/msgraph-mail.js, dist/)',
      rss_source: existsSync(TIME) ? '/usr/bin/time -f %M (wait4 ru_maxrss)' : 'process.resourceUsage().maxRSS at exit',
    })}\n`,
  );
  if (!match || bytes !== size) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
