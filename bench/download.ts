/**
 * npm run bench:download [-- --mb N] [--runs R]
 *
 * One message gets one N MB (default 100) attachment, seeded through the emulator's admin API
 * (streamed from a third process, bench/download-seed.mjs); then "Download Attachments From
 * Email" saves it to the local file system the way a SOAR runs it: one `msgraph-mail run ...
 * --wait` process of the real binary (bin/msgraph-mail.js, the compiled dist/, rebuilt first if a
 * source is newer). The emulator runs in a separate child process too (`msgraph-mail emulator`),
 * so only the downloading process is measured. Each of R runs (default 3) is followed by the
 * floor: bench/download-floor.mjs saves the same attachment with Node's own http client and no
 * msgraph-mail code, so the figure is read against what Node itself needs on this machine now.
 * Prints one JSON line: {"bytes", "runs", "seconds", "peak_rss_mb" (medians), "peak_rss_mb_runs",
 * "floor_seconds", "floor_peak_rss_mb", "floor_peak_rss_mb_runs", "over_floor_mb",
 * "target_peak_rss_mb", "met" (every run at most the target), "sha256_match", "process", "floor",
 * "rss_source"}.
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
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex < 0 ? 3 : Number(process.argv[runsIndex + 1]);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError('--runs must be a whole number of at least 1');
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

/** Runs `node ARGS` (under /usr/bin/time when present); wall seconds, peak RSS (MB) and stdout. */
async function measuredNode(nodeArgs: string[], env: NodeJS.ProcessEnv, dir: string): Promise<{ seconds: number; peakRssMb: number; out: string }> {
  const useTime = existsSync(TIME);
  const rssFile = path.join(dir, 'rss');
  const [file, args] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...nodeArgs]] : [process.execPath, ['--import', PRELOAD, ...nodeArgs]];
  const started = performance.now();
  const child = spawn(file, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit', useTime ? 'ignore' : 'pipe'] });
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
  if (code !== 0) throw new Error(`node ${nodeArgs.slice(0, 3).join(' ')} exited ${code}: ${out}`);
  const rssKb = Number(useTime ? (await readFile(rssFile, 'utf8')).trim().split('\n').pop() : probe);
  return { seconds, peakRssMb: rssKb / 1024, out };
}

/** The floor (bench/download-floor.mjs): Node's http client alone saving the same attachment. */
async function downloadFloor(info: EmulatorLine, mailbox: string, messageId: string, dir: string): Promise<{ seconds: number; peakRssMb: number; file: string }> {
  const file = path.join(dir, 'floor.bin');
  const args = [path.join(root, 'bench/download-floor.mjs'), info.loginEndpoint, info.tenantId, info.clientId, info.graphEndpoint, mailbox, messageId, file];
  const { seconds, peakRssMb } = await measuredNode(args, { ...process.env, MSGRAPH_FLOOR_SECRET: info.clientSecret }, dir);
  return { seconds, peakRssMb, file };
}

/** Download Attachments From Email in its own `msgraph-mail run --wait` process, as a SOAR runs it. */
async function downloadWithCli(info: EmulatorLine, mailbox: string, messageId: string, dir: string, run: number): Promise<Measured> {
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(configForEmulator(info, { 'Verify SSL': false })));
  const params = {
    'Search In Mailbox': mailbox,
    'Folder Name': 'Inbox',
    'Download Destination': 'Local File System',
    'Download Path': path.join(dir, `out-${run}`),
    'Mail IDs': messageId,
  };
  const cli = [path.join(root, 'bin/msgraph-mail.js'), 'run', 'Download Attachments From Email', '--config', configPath, '--wait', '--poll-interval', '0.01'];
  for (const [name, value] of Object.entries(params)) cli.push('--param', `${name}=${value}`);
  const { seconds, peakRssMb, out } = await measuredNode(cli, process.env, dir);
  return { seconds, peakRssMb, doc: JSON.parse(out) as Measured['doc'] };
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

  const ours: Array<{ seconds: number; peakRssMb: number }> = [];
  const floor: Array<{ seconds: number; peakRssMb: number }> = [];
  let bytes = 0;
  let match = true;
  for (let run = 0; run < runs; run++) {
    log(`run ${run + 1}/${runs}: \`msgraph-mail run "Download Attachments From Email" --wait\`, then the floor (bench/download-floor.mjs)...`);
    const { seconds, peakRssMb, doc } = await downloadWithCli(info, mailbox, message.id, dir, run);
    if (!doc.is_success) throw new Error(`action failed: ${doc.output_message}`);
    const saved = (doc.json_result as Array<{ downloaded_path: string }>)[0].downloaded_path;
    bytes = (await stat(saved)).size;
    match &&= bytes === size && (await sha256Of(saved)) === expected;
    await rm(saved);
    ours.push({ seconds, peakRssMb });
    const bare = await downloadFloor(info, mailbox, message.id, dir);
    match &&= (await sha256Of(bare.file)) === expected;
    await rm(bare.file);
    floor.push(bare);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const mb = (x: number) => Math.round(x * 10) / 10;
  const peak = median(ours.map((r) => r.peakRssMb));
  process.stdout.write(
    `${JSON.stringify({
      bytes,
      runs,
      seconds: Math.round(median(ours.map((r) => r.seconds)) * 1000) / 1000,
      peak_rss_mb: mb(peak),
      peak_rss_mb_runs: ours.map((r) => mb(r.peakRssMb)),
      floor_seconds: Math.round(median(floor.map((r) => r.seconds)) * 1000) / 1000,
      floor_peak_rss_mb: mb(median(floor.map((r) => r.peakRssMb))),
      floor_peak_rss_mb_runs: floor.map((r) => mb(r.peakRssMb)),
      over_floor_mb: mb(peak - median(floor.map((r) => r.peakRssMb))),
      target_peak_rss_mb: 100,
      met: Math.max(...ours.map((r) => r.peakRssMb)) <= 100,
      sha256_match: match,
      process: 'msgraph-mail run --wait (bin/msgraph-mail.js, dist/)',
      floor: "node:http GET of the same $value piped to a file, no msgraph-mail code (bench/download-floor.mjs)",
      rss_source: existsSync(TIME) ? '/usr/bin/time -f %M (wait4 ru_maxrss)' : 'process.resourceUsage().maxRSS at exit',
    })}\n`,
  );
  if (!match) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
