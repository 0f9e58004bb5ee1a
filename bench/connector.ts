/**
 * npm run bench:connector [-- --emails N] [--kills K] [--seed S] [--per-cycle M]
 *
 * Exactly-once under fire. A child-process emulator (`msgraph-mail emulator --http`, faults on:
 * 5% of requests answered 500/503/504, throttling on) holds a monitored mailbox of N emails
 * (default 2,000): a quarter with attachments (attached .eml files, .msg files from
 * ../shared/corpus when present, plain files), receivedDateTime in runs of ten sharing one
 * second, a fifth of them delivered while the connector runs. The connector runs as the real
 * binary (`msgraph-mail connector --interval 0`, `Mark Emails as Read` on) and is SIGKILLed at
 * random moments (K times, default 12) and restarted; then `--once` cycles run until nothing is
 * left. Finally the committed alerts are compared with the mailbox (immutable ids).
 *
 * Prints one JSON line: {"emails", "alerts", "missing", "duplicates", "kills", "seconds",
 * "emails_per_s", "graph_requests_per_email", "throttled_429", "unread_left", ...}; the targets
 * are missing 0, duplicates 0, unread_left 0, graph_requests_per_email <= 1.0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createGraphClient } from '../src/graph/client.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`--${name} must be a whole number`);
  return v;
};
const EMAILS = arg('emails', 2000);
const KILLS = arg('kills', 12);
const SEED = arg('seed', Math.floor(Math.random() * 2 ** 31));
const PER_CYCLE = arg('per-cycle', 50);
const MONITOR = 'phish-monitor@contoso.test';
const log = (m: string) => process.stderr.write(`${m}\n`);

// One seeded generator for every random choice of the bench (kill moments, attachment mix).
let rng = SEED >>> 0;
const random = () => {
  rng = (rng + 0x6d2b79f5) >>> 0;
  let t = rng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface EmulatorLine { graphEndpoint: string; loginEndpoint: string; tenantId: string; clientId: string; clientSecret: string }

async function startEmulator(): Promise<{ child: ChildProcess; info: EmulatorLine }> {
  const child = spawn(process.execPath, [path.join(root, 'bin/msgraph-mail.js'), 'emulator', '--http', '--port', '0', '--seed', 'empty', '--fault-rate', '0.05', '--random-seed', String(SEED)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<EmulatorLine>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as EmulatorLine));
  });
  return { child, info };
}

async function admin<T>(base: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/_emulator${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const corpusMsg = (() => {
  const dir = path.join(root, '../shared/corpus/msg');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.msg')).slice(0, 5).map((f) => readFileSync(path.join(dir, f)));
})();

let serial = 0;
function rawEmail(subject: string): string {
  serial++;
  const head = [`From: Employee ${serial} <employee${serial}@contoso.test>`, `To: ${MONITOR}`, `Subject: ${subject}`, `Message-ID: <bench-connector-${serial}-${SEED}@contoso.test>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0'];
  const body = `Reported message ${serial}: please check https://phish${serial % 97}.example/login?id=${serial}`;
  if (random() >= 0.25) return [...head, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
  const b = `bound${serial}`;
  const parts = [`--${b}`, 'Content-Type: text/plain; charset=utf-8', '', body, ''];
  const kind = random();
  if (kind < 0.5) {
    const inner = ['From: Attacker <ceo@evil.example>', 'To: someone@contoso.test', `Subject: Inner phish ${serial}`, 'Content-Type: text/html', '', `<a href="https://evil.example/${serial}">pay</a>`, ''].join('\r\n');
    parts.push(`--${b}`, 'Content-Type: message/rfc822; name="original.eml"', 'Content-Disposition: attachment; filename="original.eml"', '', inner, '');
  } else if (kind < 0.65 && corpusMsg.length > 0) {
    const msg = corpusMsg[serial % corpusMsg.length];
    parts.push(`--${b}`, 'Content-Type: application/vnd.ms-outlook; name="original.msg"', 'Content-Disposition: attachment; filename="original.msg"', 'Content-Transfer-Encoding: base64', '', msg.toString('base64').replace(/.{76}/g, '$&\r\n'), '');
  } else {
    parts.push(`--${b}`, 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.alloc(2048, serial % 251).toString('base64'), '');
  }
  parts.push(`--${b}--`, '');
  return [...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', ...parts].join('\r\n');
}

/** Runs of ten emails sharing one second, from `startMs` on. */
function batchOf(count: number, startMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    raw: rawEmail(`Phishing report ${serial + 1}`),
    folder: 'Inbox',
    receivedDateTime: new Date(Math.floor(startMs / 1000) * 1000 + Math.floor(i / 10) * 1000).toISOString().replace('.000Z', 'Z'),
  }));
}

// The binary runs dist/: measure the code as it is now.
const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build.mjs --if-stale failed');

const { child: emulator, info } = await startEmulator();
const dir = await mkdtemp(path.join(tmpdir(), 'bench-connector-'));
try {
  const late = Math.floor(EMAILS / 5);
  await admin(info.graphEndpoint, 'POST', '/bulk', { users: [{ userPrincipalName: MONITOR, displayName: 'Phishing monitor' }], messages: batchOf(EMAILS - late, Date.now() - 3 * 3_600_000) });
  await admin(info.graphEndpoint, 'DELETE', '/requests');
  const configPath = path.join(dir, 'connector.json');
  await writeFile(configPath, JSON.stringify({
    'Azure AD endpoint': info.loginEndpoint,
    'Microsoft Graph Endpoint': info.graphEndpoint,
    'Client ID': info.clientId,
    'Client Secret': '$ENV:BENCH_CONNECTOR_SECRET',
    'Tenant (Directory) ID': info.tenantId,
    'Mail Address': MONITOR,
    'Max Emails Per Cycle': String(PER_CYCLE),
    'Mark Emails as Read': true,
    'Offset Time In Hours': '24',
    // Every report looks alike (one product, rule generator and environment): the SOAR's overflow
    // rule would hold back all but 50 per 10 minutes. This measures ingestion, so it is off.
    'Disable Overflow': true,
  }));
  const state = path.join(dir, 'state');
  const env = { ...process.env, BENCH_CONNECTOR_SECRET: info.clientSecret, MSGRAPH_MAIL_LOG_LEVEL: 'error' };
  const cli = (extra: string[]) => spawn(process.execPath, [path.join(root, 'bin/msgraph-mail.js'), 'connector', '--config', configPath, '--state-dir', state, ...extra], { env, stdio: ['ignore', 'ignore', 'pipe'] });

  const started = performance.now();
  let kills = 0;
  let lateSent = 0;
  log(`seeded ${EMAILS - late} emails; running the connector with ${KILLS} SIGKILLs (seed ${SEED})...`);
  while (kills < KILLS) {
    const c = cli(['--interval', '0']);
    let err = '';
    c.stderr!.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => c.once('exit', resolve));
    const wait = 300 + Math.floor(random() * 1700);
    const outcome = await Promise.race([exited.then((code) => ({ code })), new Promise<null>((r) => setTimeout(() => r(null), wait))]);
    if (outcome) throw new Error(`connector exited by itself (${outcome.code}): ${err.slice(-2000)}`);
    c.kill('SIGKILL');
    await exited;
    kills++;
    // Mail keeps arriving while the connector works (and dies).
    if (lateSent < late) {
      const n = Math.min(late - lateSent, Math.ceil(late / Math.max(1, KILLS - 2)));
      for (const m of batchOf(n, Date.now() - 2000)) {
        await fetch(`${info.graphEndpoint}/_emulator/users/${encodeURIComponent(MONITOR)}/messages?folder=Inbox&receivedDateTime=${encodeURIComponent(m.receivedDateTime)}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw });
      }
      lateSent += n;
    }
  }
  log(`${kills} kills done; draining (one process, --interval 0, stopped with SIGTERM once all is committed and marked)...`);
  const drain = cli(['--interval', '0']);
  const drained = new Promise<number | null>((resolve) => drain.once('exit', resolve));
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const db = new Database(path.join(state, 'connector.sqlite'), { readonly: true });
    const pending = db.prepare('SELECT COUNT(*) FROM mark_read').pluck().get() as number;
    const total = db.prepare('SELECT COUNT(*) FROM alerts').pluck().get() as number;
    db.close();
    if (pending === 0 && total >= EMAILS) break;
    if (performance.now() - started > 20 * 60_000) throw new Error(`not drained after 20 minutes: ${total} alerts, ${pending} to mark as read`);
  }
  drain.kill('SIGTERM');
  await drained;
  const seconds = (performance.now() - started) / 1000;
  const traffic = await admin<{ httpRequests: number; operations: number; throttledOperations: number; batchCalls: number; tokenRequests: number }>(info.graphEndpoint, 'GET', '/traffic');

  // The verdict: every email of the mailbox against the committed alerts, by immutable id.
  const graph = createGraphClient({ loginEndpoint: info.loginEndpoint, graphEndpoint: info.graphEndpoint, tenant: info.tenantId, clientId: info.clientId, clientSecret: info.clientSecret });
  const inMailbox = new Map<string, boolean>();
  for await (const m of graph.paginate<{ id: string; isRead: boolean }>(`/users/${MONITOR}/mailFolders/inbox/messages`, { query: { $select: 'id,isRead', $top: 1000 }, headers: { Prefer: 'IdType="ImmutableId"' } })) inMailbox.set(m.id, m.isRead);
  await graph.close();
  const db = new Database(path.join(state, 'connector.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT source_message_id AS id, overflow FROM alerts').all() as Array<{ id: string; overflow: number }>;
  db.close();
  const perEmail = new Map<string, number>();
  for (const r of rows) perEmail.set(r.id, (perEmail.get(r.id) ?? 0) + 1);
  const missing = [...inMailbox.keys()].filter((id) => !perEmail.has(id)).length;
  const duplicates = [...perEmail.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const strangers = [...perEmail.keys()].filter((id) => !inMailbox.has(id)).length;
  const unreadLeft = [...inMailbox.values()].filter((r) => !r).length;
  const line = {
    emails: inMailbox.size,
    alerts: rows.length,
    missing,
    duplicates,
    alerts_for_unknown_ids: strangers,
    overflowed: rows.filter((r) => r.overflow === 1).length,
    kills,
    seconds: Math.round(seconds * 10) / 10,
    emails_per_s: Math.round((inMailbox.size / seconds) * 10) / 10,
    graph_requests_per_email: Math.round((traffic.httpRequests / inMailbox.size) * 1000) / 1000,
    graph_operations_per_email: Math.round((traffic.operations / inMailbox.size) * 1000) / 1000,
    batch_calls: traffic.batchCalls,
    token_requests: traffic.tokenRequests,
    throttled_429: traffic.throttledOperations,
    unread_left: unreadLeft,
    per_cycle: PER_CYCLE,
    fault_rate: 0.05,
    msg_attachments: corpusMsg.length > 0,
    seed: SEED,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (missing || duplicates || unreadLeft || strangers) process.exitCode = 1;
} finally {
  emulator.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
