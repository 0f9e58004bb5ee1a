/** `msgraph-mail run "<Action Name>" ...`: one result document on stdout. */
import { constants as fsConstants } from 'node:fs';
import { access, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { GraphClient, GraphClientOptions } from '../graph/types.ts';
import type { ActionDefinition, Entity } from '../soar/action.ts';
import { runUntilDone } from '../soar/async.ts';
import { realClock } from '../graph/clock.ts';
import { loadConfigFile } from '../soar/config.ts';
import { UsageError } from '../soar/errors.ts';
import { createLogger } from '../soar/logger.ts';
import type { ResultDocument } from '../soar/result.ts';
import { runAction } from '../soar/runtime.ts';
import { findByName, suggestionText } from '../soar/suggest.ts';
import { loadRegisteredAction, registeredActionNames } from './action-manifest.ts';
import type { CliDeps } from './io.ts';

export interface RunOptions {
  config: string;
  param?: string[];
  entity?: string[];
  state?: string;
  wait?: boolean;
  pollInterval?: string;
  timeout?: string;
  format?: string;
}

/** Known SOAR entity types, so `user:x` and `User:x` mean the same. */
const ENTITY_TYPES = ['User', 'Address', 'Hostname', 'URL', 'FileHash', 'EmailSubject', 'Email'];

export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`Invalid --param "${arg}": expected "Name=value".`);
    const name = arg.slice(0, eq).trim();
    if (Object.keys(out).some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw new UsageError(`Parameter "${name}" is given more than once.`);
    }
    out[name] = arg.slice(eq + 1);
  }
  return out;
}

export function parseEntityArgs(args: readonly string[]): Entity[] {
  return args.map((arg) => {
    const colon = arg.indexOf(':');
    const type = colon > 0 ? arg.slice(0, colon).trim() : '';
    const identifier = colon > 0 ? arg.slice(colon + 1).trim() : '';
    if (!type || !identifier) throw new UsageError(`Invalid --entity "${arg}": expected TYPE:IDENTIFIER, e.g. User:alice@contoso.com.`);
    const known = ENTITY_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
    return { type: known ?? type, identifier };
  });
}

/** Node's timers hold at most 2^31 - 1 ms; a longer sleep would fire after 1 ms instead. */
const MAX_SLEEP_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function parseSeconds(flag: string, text: string | undefined, fallback?: number, max?: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (max !== undefined && n > max)) {
    throw new UsageError(`Invalid ${flag} "${text}": expected a number of seconds greater than 0${max !== undefined ? ` and at most ${max}` : ''}.`);
  }
  return n;
}

/** The state file: absent, empty or `null` = start a new run. */
async function readStateFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`Cannot read --state file "${path}" (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`The --state file "${path}" is not valid JSON.`);
  }
}

/** Checked before the action runs: a state that cannot be saved would lose a run that already
 * changed mailboxes (deleted or moved mail). */
async function checkStateFileWritable(path: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, fsConstants.W_OK);
  } catch {
    throw new UsageError(`Cannot write the --state file "${path}": its folder "${dir}" does not exist or is not writable.`);
  }
}

/** Written after every invocation: the state to continue from, or `null` once the run is over. */
async function writeStateFile(path: string, doc: ResultDocument): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(doc.execution_state === 'IN_PROGRESS' ? doc.state : null, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}

/** Loads the one action asked for (with the build's manifest, only its module). */
async function lookupAction(name: string, extra: readonly ActionDefinition[]): Promise<ActionDefinition> {
  const found = findByName(extra, name) ?? (await loadRegisteredAction(name));
  if (found) return found;
  throw new UsageError(`Unknown action "${name}". ${suggestionText(name, [...(await registeredActionNames()), ...extra.map((a) => a.name)])}`);
}

async function defaultGraphFactory(): Promise<(opts: GraphClientOptions) => GraphClient> {
  // Loaded on demand so `actions`, `--help` and usage errors work without the HTTP stack.
  try {
    const mod = (await import('../graph/index.ts')) as { createGraphClient: (opts: GraphClientOptions) => GraphClient };
    return mod.createGraphClient;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return () => {
      throw new Error(`The Graph client could not be loaded: ${reason}`);
    };
  }
}

export async function runCommand(actionName: string, opts: RunOptions, deps: CliDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const extra = deps.extraActions ?? [];
  const def = await lookupAction(actionName, extra);
  const format = (opts.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'table') throw new UsageError(`Invalid --format "${opts.format}": expected json or table.`);
  const params = parseParamArgs(opts.param ?? []);
  const entities = parseEntityArgs(opts.entity ?? []);
  const pollMs = parseSeconds('--poll-interval', opts.pollInterval, 1, MAX_SLEEP_SECONDS)! * 1000;
  const timeoutSeconds = parseSeconds('--timeout', opts.timeout);
  if (!opts.wait && opts.pollInterval !== undefined) throw new UsageError('--poll-interval only applies with --wait.');
  // Without --wait, --timeout still sets the run's deadline, saved in the state: a SOAR that
  // invokes once per poll gets the documented timeout messages from an action that waits.
  if (!opts.wait && opts.timeout !== undefined && !def.timesOutItself) throw new UsageError(`--timeout without --wait only applies to actions that wait for people; "${def.name}" needs --wait.`);
  if (def.entities === 'none' && entities.length > 0) {
    stderr.write(`warning: action "${def.name}" does not run on entities; --entity ignored.\n`);
  }
  const config = await loadConfigFile(opts.config);
  const initialState = opts.state ? await readStateFile(opts.state) : null;
  if (opts.state) await checkStateFileWritable(opts.state);
  const clock = deps.clock ?? realClock;
  const logger = createLogger({ destination: deps.stderr ?? 2, level: (deps.env ?? process.env).MSGRAPH_MAIL_LOG_LEVEL });
  const createGraph = deps.createGraph ?? (await defaultGraphFactory());
  const invoke = (state: unknown) =>
    runAction(def, { params, config, entities, state, timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000 }, {
      createGraph,
      logger,
      clock,
      env: deps.env ?? process.env,
      warn: (m) => stderr.write(`warning: ${m}\n`),
      graphOptions: deps.graphOptions,
    });
  let saveFailed = false;
  const save = async (doc: ResultDocument) => {
    if (!opts.state) return;
    try {
      await writeStateFile(opts.state, doc);
    } catch (e) {
      // The run happened: its result document is still printed; only continuing it is lost.
      saveFailed = true;
      stderr.write(`error: could not write the --state file "${opts.state}": ${(e as Error).message}\n`);
    }
  };
  let doc: ResultDocument;
  if (opts.wait) {
    doc = await runUntilDone(invoke, initialState, {
      pollIntervalMs: pollMs,
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      clock,
      onProgress: save,
      actionTimesOut: def.timesOutItself === true,
    });
    // A timed-out run keeps its last saved state, so it can be continued with --state.
    if (doc.execution_state !== 'TIMEDOUT') await save(doc);
  } else {
    doc = await invoke(initialState);
    await save(doc);
  }
  if (format === 'table') {
    // Loaded for tables only: `run` with JSON output loads no width tables.
    const { renderResultAsText, tableWidth } = await import('./format.ts');
    const width = deps.columns ?? tableWidth(stdout as { isTTY?: boolean; columns?: number }, deps.env ?? process.env);
    stdout.write(renderResultAsText(doc, { width, stateFile: opts.state }));
  } else {
    stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  if (doc.execution_state === 'TIMEDOUT' && !opts.state) {
    stderr.write('note: the run timed out and its progress is not saved; run it with --state FILE to be able to continue it.\n');
  }
  if (saveFailed) return 1;
  return doc.is_success || doc.execution_state === 'IN_PROGRESS' ? 0 : 1;
}
