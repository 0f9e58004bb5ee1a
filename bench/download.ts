/**
 * npm run bench:download [-- --mb N] [--path modules|action]
 *
 * The emulator runs in a separate child process (`msgraph-mail emulator`), so only the
 * downloading side is measured. One message gets one N MB (default 100) attachment through the
 * admin API (streamed from a third process, bench/download-seed.mjs), then this process downloads it through the real path to the local file system and
 * prints one JSON line: {"bytes", "seconds", "peak_rss_mb", "download_rss_mb", "path",
 * "sha256_match"}. `peak_rss_mb` is this process's high-water resident set (getrusage maxrss)
 * over its whole life, tsx's own ~40 MB included; the target is under 150 MB.
 * `download_rss_mb` is the highest RSS sampled (every 20 ms) while the download ran.
 *
 * Path `modules` drives src/mail/attachments + the local destination directly; `action` runs
 * "Download Attachments From Email" through the runtime. The default is the action once it is
 * implemented.
 */
import { configForEmulator } from '../src/cli/emulator-config.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { downloadAttachmentsFromEmail } from '../src/actions/download-attachments-from-email.ts';
import { createGraphClient } from '../src/graph/client.ts';
import { listAttachments, openAttachmentStream } from '../src/mail/attachments.ts';
import { createLocalDestination } from '../src/mail/destinations/index.ts';
import { runAction } from '../src/soar/runtime.ts';

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
const pathIndex = process.argv.indexOf('--path');
const drive = pathIndex < 0 ? (downloadAttachmentsFromEmail.implemented === false ? 'modules' : 'action') : process.argv[pathIndex + 1];
if (drive !== 'modules' && drive !== 'action') throw new TypeError('--path must be "modules" or "action"');

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

function configOf(info: EmulatorLine): Record<string, unknown> {
  return configForEmulator(info, { 'Verify SSL': false });
}

/** The library path: what the action does for one attachment. */
async function downloadWithModules(info: EmulatorLine, mailbox: string, messageId: string, dir: string): Promise<string> {
  const graph = createGraphClient({
    loginEndpoint: info.loginEndpoint,
    graphEndpoint: info.graphEndpoint,
    tenant: info.tenantId,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
  });
  try {
    const [attachment] = await listAttachments(graph, mailbox, messageId);
    const destination = createLocalDestination(dir);
    const saved = await destination.save(attachment.name, await openAttachmentStream(graph, mailbox, messageId, attachment), { unique: false });
    return saved.path;
  } finally {
    await graph.close();
  }
}

/** The action path: Download Attachments From Email through the runtime, invoked until it finishes. */
async function downloadWithAction(info: EmulatorLine, mailbox: string, messageId: string, dir: string): Promise<string> {
  const params = {
    'Search In Mailbox': mailbox,
    'Folder Name': 'Inbox',
    'Download Destination': 'Local File System',
    'Download Path': dir,
    'Mail IDs': messageId,
  };
  let state: unknown = null;
  for (;;) {
    const doc = await runAction(downloadAttachmentsFromEmail, { config: configOf(info), params, state }, { createGraph: createGraphClient });
    if (doc.execution_state === 'IN_PROGRESS') {
      state = doc.state;
      continue;
    }
    if (!doc.is_success) throw new Error(`action failed: ${doc.output_message}`);
    const rows = doc.json_result as Array<{ downloaded_path: string }>;
    return rows[0].downloaded_path;
  }
}

const { child, info } = await startChildEmulator();
const dir = await mkdtemp(path.join(tmpdir(), 'bench-download-'));
try {
  const mailbox = info.defaultMailbox;
  const raw = [`From: Sender <sender@contoso.example>`, `To: ${mailbox}`, 'Subject: bench: one big attachment', `Message-ID: <bench.${Date.now()}@contoso.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'see attachment', ''].join('\r\n');
  const message = await admin<{ id: string }>(info.graphEndpoint, 'POST', `/users/${encodeURIComponent(mailbox)}/messages?folder=Inbox`, raw, 'message/rfc822');
  const size = megabytes * MiB;
  log(`seeding a ${megabytes} MB attachment in a child-process emulator...`);
  const expected = await uploadAttachment(info.graphEndpoint, mailbox, message.id, size);

  log(`downloading through the ${drive} path...`);
  // Sampled during the download alone; peak_rss_mb is the process's high-water mark over the whole run.
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 20);
  const started = performance.now();
  const saved = drive === 'action' ? await downloadWithAction(info, mailbox, message.id, dir) : await downloadWithModules(info, mailbox, message.id, dir);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const peakRssMb = Math.max(process.resourceUsage().maxRSS / 1024, sampled / MiB);
  const downloadRssMb = sampled / MiB;

  const { size: bytes } = await import('node:fs/promises').then((fs) => fs.stat(saved));
  const match = (await sha256Of(saved)) === expected;
  process.stdout.write(
    `${JSON.stringify({ bytes, seconds: Math.round(seconds * 1000) / 1000, peak_rss_mb: Math.round(peakRssMb * 10) / 10, download_rss_mb: Math.round(downloadRssMb * 10) / 10, path: drive, sha256_match: match })}\n`,
  );
  if (!match || bytes !== size) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
