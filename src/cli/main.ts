/**
 * The `msgraph-mail` command (CONTRACT.md §1). Thin: it parses argv, calls the runtime and
 * prints. Exit codes: 0 success or in progress, 1 the action failed, 2 usage error.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../soar/errors.ts';
import type { CliDeps } from './io.ts';
import type { RunOptions } from './run-command.ts';
import { packageVersion } from './version.ts';

export type { CliDeps } from './io.ts';

interface EmulatorFlags {
  port?: number;
  host?: string;
  seed?: 'demo' | 'empty';
  http?: boolean;
  latencyMs?: number;
  latencyJitterMs?: number;
  batchParallelism?: number;
  randomSeed?: number;
  faultRate?: number;
  throttle: boolean;
  tokenLifetime?: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function toNumber(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`Invalid ${flag} "${v}": expected a number.`);
    return n;
  };
}

export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  let code = 0;
  const program = new Command('msgraph-mail')
    .description('Microsoft Graph Mail integration for SOAR platforms: actions, connector and a local Graph emulator.')
    .version(packageVersion(), '-V, --version', 'print the package version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void stdout.write(s), writeErr: (s) => void stderr.write(s) })
    .showSuggestionAfterError(true);

  program
    .command('actions')
    .description('list every action with its parameters')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      // Each command loads its own modules: `--version` and `--help` load no action at all.
      const { actionsCommand } = await import('./actions-command.ts');
      code = await actionsCommand(opts, stdout, deps.extraActions);
    });

  program
    .command('run')
    .description('run one action and print its result document')
    .argument('<action>', 'action name, e.g. "Ping" (case-insensitive)')
    .requiredOption('--config <file>', 'JSON file of integration parameters')
    .option('--param <Name=value>', 'action parameter (repeatable)', collect)
    .option('--entity <Type:identifier>', 'entity to run on, e.g. User:alice@contoso.com (repeatable)', collect)
    .option('--state <file>', 'state file of an asynchronous run: read to continue, rewritten after every invocation')
    .option('--wait', 'invoke an asynchronous action again until it finishes')
    .option('--poll-interval <seconds>', 'with --wait: pause between invocations (default 1)')
    .option('--timeout <seconds>', 'with --wait: give up (TIMEDOUT) after this long')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .action(async (action: string, opts: RunOptions) => {
      // Loaded on demand: `actions` needs neither the runtime nor the logger.
      const { runCommand } = await import('./run-command.ts');
      code = await runCommand(action, opts, deps);
    });

  program
    .command('emulator')
    .description('start the local Microsoft Graph emulator')
    .option('--port <n>', 'port (0 = any free port)', toNumber('--port'))
    .option('--host <host>', 'address to listen on')
    .addOption(new Option('--seed <seed>', 'initial tenant').choices(['demo', 'empty']))
    .option('--http', 'plain HTTP instead of HTTPS')
    .option('--latency-ms <n>', 'added latency per request', toNumber('--latency-ms'))
    .option('--latency-jitter-ms <n>', 'each request also waits a random 0..n ms', toNumber('--latency-jitter-ms'))
    .option('--batch-parallelism <n>', 'items of one $batch run at a time (Graph: 4)', toNumber('--batch-parallelism'))
    .option('--random-seed <n>', 'seed of every random choice (faults, jitter), to replay a run', toNumber('--random-seed'))
    .option('--fault-rate <p>', 'share of requests failing with a transient error', toNumber('--fault-rate'))
    .option('--no-throttle', 'disable the throttling model')
    .option('--token-lifetime <seconds>', 'access token lifetime', toNumber('--token-lifetime'))
    .action(async (opts: EmulatorFlags) => {
      // Loaded on demand: the emulator is a dev tool, not part of running actions.
      const { runEmulatorCommand } = await import('../../emulator/cli.ts');
      await runEmulatorCommand({
        port: opts.port ?? 0,
        host: opts.host,
        seed: opts.seed,
        http: opts.http,
        latencyMs: opts.latencyMs,
        latencyJitterMs: opts.latencyJitterMs,
        batchParallelism: opts.batchParallelism,
        randomSeed: opts.randomSeed,
        faultRate: opts.faultRate,
        throttle: opts.throttle,
        tokenLifetimeSeconds: opts.tokenLifetime,
      });
      // The server keeps the process alive until SIGINT / SIGTERM.
      code = 0;
    });

  program
    .command('demo')
    .description('the phishing-response walkthrough against the embedded emulator (npm start)')
    .action(async () => {
      const mod = await import('./demo.ts');
      code = await mod.runDemo();
    });

  program
    .command('connector')
    .description('run the mail connector: ingest emails of the monitored mailbox as alerts')
    .requiredOption('--config <file>', 'JSON file of connector parameters')
    .requiredOption('--state-dir <dir>', 'folder of the connector state (its SQLite database)')
    .option('--once', 'run one cycle and exit')
    .option('--interval <seconds>', 'pause between cycles (default 60)')
    .option('--test-run', 'run one cycle, print what it would commit, write no state')
    .action(async (opts: import('./connector-command.ts').ConnectorFlags) => {
      const { connectorCommand } = await import('./connector-command.ts');
      code = await connectorCommand(opts, deps);
    });

  program
    .command('alerts')
    .description('the alerts the connector has committed, oldest first')
    .requiredOption('--state-dir <dir>', 'the connector state folder')
    .option('--json', 'print a JSON array')
    .action(async (opts: { stateDir: string; json?: boolean }) => {
      const { alertsCommand } = await import('./connector-command.ts');
      code = await alertsCommand(opts, deps);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version output are successes; every other commander error is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
