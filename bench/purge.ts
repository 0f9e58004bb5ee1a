/**
 * npm run bench:purge [-- --mailboxes N] [--baseline-mailboxes K] [--batch-size B] [--path action|prototype]
 *                        [--latency-ms L] [--jitter-ms J] [--write-latency-ms W] [--batch-parallelism P] [--seed S]
 *
 * Seeds an emulator on a worker thread of this process (throttling on; the realistic service
 * model of docs/benchmarks.md: Graph runs 4 items of a $batch at a time, reads take 150 + 0..250 ms,
 * writes 50 ms more) with N mailboxes that each hold the same phish, purges it with Delete Email by internetMessageId (our path, `runAction` invoked with
 * its state until COMPLETED, as `--wait` does), reseeds, purges it the way today's integrations do
 * (bench/baseline-purge.ts), and prints one JSON line. docs/benchmarks.md explains every field.
 */
import { deleteEmail } from '../src/actions/delete-email.ts';
import { createGraphClient } from '../src/graph/client.ts';
import type { GraphClient, GraphClientOptions } from '../src/graph/types.ts';
import { runAction } from '../src/soar/runtime.ts';
import { baselinePurge } from './baseline-purge.ts';
import { lowerBoundSeconds, type ServiceModel } from './lower-bound.ts';
import { PHISH_ID, countPhish, seed, startPurgeTenant, traffic, type PurgeTenant } from './purge-tenant.ts';
import { stagedPurge } from './staged-purge.ts';

const FOLDER = 'Inbox';

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`--${name} must be a whole number of at least 1`);
  return v;
}

function strArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : String(process.argv[i + 1]);
}

const mailboxes = intArg('mailboxes', 1000);
// One request at a time costs about 0.6 s a mailbox on this model: 50 mailboxes, scaled to N, keep the run short.
const baselineMailboxes = Math.min(intArg('baseline-mailboxes', 50), mailboxes);
// For profiling our path alone: the JSON line then has no baseline figures.
const skipBaseline = process.argv.includes('--no-baseline');
// One invocation for the whole tenant: each invocation boundary costs a ramp-up and a tail.
const batchSize = intArg('batch-size', mailboxes);
const nonNegativeArg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`--${name} must be a whole number of at least 0`);
  return v;
};
/** The service model (docs/benchmarks.md, "The model"). */
const model: ServiceModel = {
  latencyMs: nonNegativeArg('latency-ms', 150),
  jitterMs: nonNegativeArg('jitter-ms', 250),
  writeLatencyMs: nonNegativeArg('write-latency-ms', 50),
  batchParallelism: intArg('batch-parallelism', 4),
};
const randomSeed = nonNegativeArg('seed', Math.floor(Math.random() * 2 ** 32));
// Client-side pacing (src/graph/limiter.ts); `--requests-per-second 0` turns it off to compare.
const rpsIndex = process.argv.indexOf('--requests-per-second');
const requestsPerSecond = rpsIndex < 0 ? undefined : Number(process.argv[rpsIndex + 1]);
if (requestsPerSecond !== undefined && !(Number.isInteger(requestsPerSecond) && requestsPerSecond >= 0)) {
  throw new TypeError('--requests-per-second must be a whole number (0 = no pacing)');
}
const path = strArg('path', 'action');
if (path !== 'action' && path !== 'prototype') throw new TypeError('--path must be "action" or "prototype"');

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

function client(t: PurgeTenant, extra: Partial<GraphClientOptions> = {}): GraphClient {
  return createGraphClient({
    loginEndpoint: t.emu.info.loginEndpoint,
    graphEndpoint: t.emu.info.graphEndpoint,
    tenant: t.emu.info.tenantId,
    clientId: t.emu.info.clientId,
    clientSecret: t.emu.info.clientSecret,
    verifySsl: false,
    ...extra,
  });
}

/** Our path: Delete Email through the runtime, one invocation per batch of mailboxes. */
async function runOurPath(t: PurgeTenant, size = batchSize): Promise<{ invocations: number; outcome: string }> {
  if (path === 'prototype') {
    const graph = client(t, { requestsPerSecond });
    try {
      const r = await stagedPurge(graph, t.mailboxes, PHISH_ID, FOLDER, size);
      return { invocations: 1, outcome: `prototype: ${r.deleted} deleted, ${r.failed} failed` };
    } finally {
      await graph.close();
    }
  }
  const params = {
    'Delete In Mailbox': t.mailboxes.join(','),
    'Folder Name': FOLDER,
    'Mail IDs': PHISH_ID,
    'How many mailboxes to process in a single batch': String(size),
  };
  let state: unknown = null;
  for (let invocations = 1; ; invocations++) {
    const doc = await runAction(deleteEmail, { params, config: t.config, state }, {
      createGraph: createGraphClient,
      graphOptions: requestsPerSecond === undefined ? {} : { requestsPerSecond },
    });
    if (doc.execution_state !== 'IN_PROGRESS') {
      return { invocations, outcome: `${doc.execution_state}: ${doc.output_message.slice(0, 200)}${doc.output_message.length > 200 ? '...' : ''}` };
    }
    state = doc.state;
  }
}

interface LogEntry {
  method: string;
  path: string;
  status: number;
  mailbox: string | null;
}

/** Per-mailbox operation counts from the emulator's request log (429 answers excluded). */
async function opsPerMailbox(t: PurgeTenant): Promise<number> {
  const { entries } = await t.admin<{ entries: LogEntry[] }>('GET', '/requests');
  const per = new Map<string, number>();
  for (const e of entries) if (e.mailbox && e.status !== 429) per.set(e.mailbox, (per.get(e.mailbox) ?? 0) + 1);
  return Math.max(0, ...per.values());
}

/**
 * Both paths once on a small tenant, so neither measurement pays for JIT warm-up (our path: 250
 * mailboxes, enough for the optimiser to have seen a full stage of calls).
 */
async function warmUp(t: PurgeTenant): Promise<void> {
  await seed(t, 250);
  await runOurPath(t, 250);
  await seed(t, 40);
  const graph = client(t);
  try {
    await baselinePurge(graph, t.mailboxes.slice(0, 5), PHISH_ID, FOLDER);
  } finally {
    await graph.close();
  }
}

/** Today's integrations on a freshly seeded tenant, timed on K mailboxes and scaled to N. */
async function runBaseline(t: PurgeTenant): Promise<{ seconds: number; requests: number }> {
  await seed(t, mailboxes);
  log(`baseline on ${baselineMailboxes} mailbox(es)...`);
  const graph = client(t, { requestsPerSecond: 0 });
  const started = performance.now();
  let deleted = 0;
  try {
    deleted = (await baselinePurge(graph, t.mailboxes.slice(0, baselineMailboxes), PHISH_ID, FOLDER)).deleted;
  } finally {
    await graph.close();
  }
  const measured = (performance.now() - started) / 1000;
  const left = (await countPhish(t)).inInbox;
  log(`baseline: ${round(measured)} s for ${baselineMailboxes} mailbox(es), ${deleted} deleted, ${left} left in inboxes`);
  return { seconds: (measured * mailboxes) / baselineMailboxes, requests: (await traffic(t)).operations };
}

const t = await startPurgeTenant({ model, randomSeed });
try {
  if (!process.argv.includes('--no-warmup')) await warmUp(t);
  const seeded = await seed(t, mailboxes);
  log(`seeded ${mailboxes} mailboxes in ${round(seeded)} s; running Delete Email (${path}, batch size ${batchSize})`);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const ours = await runOurPath(t);
  const seconds = (performance.now() - started) / 1000;
  // Both threads (client and emulator): CPU-bound when this nears 2 x seconds on two cores.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  log(`our path: ${round(seconds)} s, ${ours.invocations} invocation(s); ${ours.outcome}`);
  const tr = await traffic(t);
  const maxOps = await opsPerMailbox(t);
  const after = await countPhish(t);
  const okOps = tr.operations - tr.throttledOperations;
  // Delete Email by internetMessageId is a chain per mailbox: the DELETE needs the id the search returned.
  const bound = lowerBoundSeconds({ operations: okOps, chain: ['read', 'write'], maxOpsPerMailbox: maxOps, model });

  const baseline = skipBaseline ? undefined : await runBaseline(t);
  const out = {
    mailboxes,
    requests: tr.operations,
    seconds: round(seconds),
    baseline_seconds: baseline ? round(baseline.seconds) : null,
    speedup: baseline ? round(baseline.seconds / seconds, 1) : null,
    http_requests: tr.httpRequests,
    throttled_429: tr.throttledOperations,
    lower_bound_seconds: round(bound.seconds),
    deleted: mailboxes - after.inInbox,
    missed: after.inInbox,
    path,
    batch_size: batchSize,
    invocations: ours.invocations,
    batch_calls: tr.batchCalls,
    token_requests: tr.tokenRequests,
    ops_per_mailbox: maxOps,
    in_deleted_items: after.inDeletedItems,
    baseline_measured_mailboxes: baseline ? baselineMailboxes : 0,
    baseline_scaled: baselineMailboxes < mailboxes,
    baseline_requests: baseline?.requests ?? 0,
    vs_bound: round(seconds / bound.seconds),
    batch_parallelism: model.batchParallelism,
    latency_ms: model.latencyMs,
    jitter_ms: model.jitterMs,
    write_latency_ms: model.writeLatencyMs,
    random_seed: randomSeed,
    lower_bound_terms: { rate: round(bound.rate), chain: round(bound.chain), mailbox: round(bound.mailbox) },
    per_call_items_per_second: round(bound.perCallItemsPerSecond, 1),
    calls_in_flight_needed: bound.callsInFlightNeeded,
    seed_seconds: round(seeded),
    cpu_seconds: round(cpuSeconds),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await t.close();
}
