/** `msgraph-mail connector` and `msgraph-mail alerts` (CONTRACT.md §1, §4): argv to src/connector. */
import { loadConfigFile } from '../soar/config.ts';
import { InputError, UsageError } from '../soar/errors.ts';
import { createLogger } from '../soar/logger.ts';
import type { CliDeps } from './io.ts';

export interface ConnectorFlags {
  config: string;
  stateDir: string;
  once?: boolean;
  interval?: string;
  testRun?: boolean;
}

export async function connectorCommand(flags: ConnectorFlags, deps: CliDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const warn = (m: string) => void stderr.write(`${m}\n`);
  const interval = flags.interval === undefined ? undefined : Number(flags.interval);
  if (interval !== undefined && (!Number.isFinite(interval) || interval < 0)) throw new UsageError(`Invalid --interval "${flags.interval}": expected a number of seconds, 0 or more.`);
  const [{ parseConnectorConfig }, { runConnector }, { StateDirBusyError }] = await Promise.all([
    import('../connector/params.ts'),
    import('../connector/run.ts'),
    import('../connector/sqlite-store.ts'),
  ]);
  let config;
  try {
    config = parseConnectorConfig(await loadConfigFile(flags.config), { env: deps.env, warn: (m) => warn(`warning: ${m}`) });
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(`${err.message}`);
    throw err;
  }
  const createGraph = deps.createGraph ?? (await import('../graph/index.ts')).createGraphClient;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runConnector({
      config,
      stateDir: flags.stateDir,
      once: flags.once,
      intervalSeconds: interval,
      testRun: flags.testRun,
      createGraph,
      graphOptions: deps.graphOptions,
      logger: createLogger({ destination: deps.stderr ?? 2, level: (deps.env ?? process.env).MSGRAPH_MAIL_LOG_LEVEL }),
      print: (line) => void stdout.write(`${line}\n`),
      warn,
      signal: controller.signal,
    });
  } catch (err) {
    if (err instanceof StateDirBusyError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export async function alertsCommand(flags: { stateDir: string; json?: boolean }, deps: CliDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const { openSqliteStore } = await import('../connector/sqlite-store.ts');
  const store = openSqliteStore(flags.stateDir, { readOnly: true });
  try {
    const alerts = store.alerts().map((s) => s.alert);
    if (flags.json) {
      stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
      return 0;
    }
    for (const a of alerts) {
      const first = a.events[0] ?? {};
      const subject = Object.entries(first).find(([k]) => k.endsWith('subject'))?.[1] ?? '';
      stdout.write(`${new Date(a.start_time).toISOString()}  ${a.ticket_id}  ${a.name}  ${JSON.stringify(subject)}\n`);
    }
    if (alerts.length === 0) stdout.write('No alerts committed yet.\n');
    return 0;
  } finally {
    store.close();
  }
}
