/**
 * The connector process (CONTRACT.md §4): its config, its state dir, cycles until stopped. Each
 * cycle has the `Script Timeout (Seconds)` of one SOAR connector run; reading stops early enough
 * to commit before it. SIGINT / SIGTERM end the loop after the cycle in hand (a kill at any other
 * moment is what the commit order is built for).
 */
import type { GraphClient, GraphClientOptions, Logger } from '../graph/types.ts';
import { UsageError } from '../soar/errors.ts';
import { runCycle, type CycleReport, type CycleStep } from './cycle.ts';
import type { ConnectorConfig } from './params.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { ConnectorStore } from './store.ts';

export interface ConnectorRunOptions {
  config: ConnectorConfig;
  stateDir: string;
  once?: boolean;
  /** Pause between cycles. Default 60 s. */
  intervalSeconds?: number;
  testRun?: boolean;
  createGraph: (opts: GraphClientOptions) => GraphClient;
  graphOptions?: Partial<GraphClientOptions>;
  logger?: Logger;
  print: (line: string) => void;
  warn: (message: string) => void;
  now?: () => number;
  /** Tests: stop after this many cycles. */
  maxCycles?: number;
  /** Tests: crash injection at step boundaries. */
  step?: (name: CycleStep) => void;
  /** Aborts the loop between cycles (the CLI wires SIGINT / SIGTERM to it). */
  signal?: AbortSignal;
  /** Tests: a store other than the state dir's SQLite database. */
  store?: ConnectorStore;
}

export const DEFAULT_INTERVAL_SECONDS = 60;

/** Time kept back from the Script Timeout for the commit and what follows it. */
export function commitReserveMs(timeoutSeconds: number): number {
  return Math.min(10_000, timeoutSeconds * 200);
}

export function graphOptionsOf(c: ConnectorConfig): GraphClientOptions {
  return {
    loginEndpoint: c.azureAdEndpoint,
    graphEndpoint: c.graphEndpoint,
    tenant: c.tenant,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    verifySsl: c.verifySsl,
    proxy: c.proxy ? { url: c.proxy.address, username: c.proxy.username, password: c.proxy.password } : undefined,
  };
}

function summary(r: CycleReport): string {
  const parts = [`${r.fetched} email(s) read`, `${r.alerts} alert(s) committed`];
  if (r.overflowed) parts.push(`${r.overflowed} overflowed`);
  if (r.excluded) parts.push(`${r.excluded} excluded`);
  if (r.deferred) parts.push(`${r.deferred} left for the next cycle (Script Timeout)`);
  if (r.markedRead) parts.push(`${r.markedRead} marked as read`);
  if (r.webhookDelivered) parts.push(`${r.webhookDelivered} delivered to the webhook`);
  return parts.join(', ');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Runs cycles; returns the exit code (0, or 1 when `--once` / `--test-run` met an error). */
export async function runConnector(o: ConnectorRunOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const store = o.store ?? openSqliteStore(o.stateDir, { readOnly: o.testRun });
  // One mailbox: Graph runs at most 4 of its requests at a time whatever the calls, so full calls
  // of 20 cost the fewest round trips for the same speed.
  const graph = o.createGraph({ ...graphOptionsOf(o.config), batchItemsPerCall: 20, logger: o.logger, ...o.graphOptions });
  const interval = (o.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  if (!Number.isFinite(interval) || interval < 0) throw new UsageError('--interval must be a number of seconds, 0 or more.');
  let code = 0;
  try {
    for (let cycle = 1; ; cycle++) {
      const started = now();
      try {
        const report = await runCycle({
          graph,
          store,
          config: o.config,
          now,
          print: o.print,
          warn: o.warn,
          deadlineMs: started + o.config.scriptTimeoutSeconds * 1000 - commitReserveMs(o.config.scriptTimeoutSeconds),
          testRun: o.testRun,
          step: o.step,
        });
        o.warn(`cycle ${cycle}${o.testRun ? ' (test run, nothing written)' : ''}: ${summary(report)}`);
        for (const e of report.errors) o.warn(`cycle ${cycle}: ${e}`);
        if (report.errors.length > 0 && (o.once || o.testRun)) code = 1;
      } catch (err) {
        // A cycle that failed before its commit changed nothing: the next one starts from the same state.
        o.warn(`cycle ${cycle} failed, nothing committed: ${err instanceof Error ? err.message : String(err)}`);
        if (o.once || o.testRun) code = 1;
      }
      if (o.once || o.testRun || o.signal?.aborted || (o.maxCycles !== undefined && cycle >= o.maxCycles)) break;
      await sleep(interval, o.signal);
      if (o.signal?.aborted) break;
    }
  } finally {
    store.close();
    await graph.close();
  }
  return code;
}
