/**
 * Runs one invocation of an action and always produces a result document: the error policy
 * (which failure message, what counts as usage vs. action failure, secret scrubbing) lives
 * here and nowhere else.
 */
import { createHash } from 'node:crypto';
import { isGraphError } from '../graph/errors.ts';
import type { Clock, GraphClient, GraphClientOptions, Logger } from '../graph/types.ts';
import { type ActionContext, type ActionDefinition, type ActionMessages, type ActionOutcome, type Entity } from './action.ts';
import { unwrapState, wrapState } from './async.ts';
import { realClock } from '../graph/clock.ts';
import { parseIntegrationConfig, toGraphClientOptions, type IntegrationConfig } from './config.ts';
import { InputError } from './errors.ts';
import { scrubSecrets, silentLogger } from './logger.ts';
import { renderMessage } from './messages.ts';
import { parseParams, type Params } from './params.ts';
import { emptyCaseWall, type ResultDocument } from './result.ts';
import { boundResult, RESULT_LIMITS, type ResultLimits } from './result-cap.ts';

export interface RunInput {
  /** Raw parameter values by (case-insensitive) documented name. */
  params?: Record<string, string | boolean | number | null | undefined>;
  /** The config file's object, or an already parsed config. */
  config: Record<string, unknown> | IntegrationConfig;
  entities?: Entity[];
  /** The `state` of the previous IN_PROGRESS result document, or null. */
  state?: unknown;
  /** `--timeout`: how long the run may take, from its first invocation. A saved state's
   * deadline wins (it was set when the run began). */
  timeoutMs?: number;
}

export interface RunDeps {
  createGraph: (opts: GraphClientOptions) => GraphClient;
  logger?: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Config warnings (unknown keys). */
  warn?: (message: string) => void;
  /** Extra client options (tests inject a clock or a retry policy). */
  graphOptions?: Partial<GraphClientOptions>;
  /** Bounds on the document (default {@link RESULT_LIMITS}; tests use small ones). */
  resultLimits?: Partial<ResultLimits>;
}

function isParsedConfig(c: RunInput['config']): c is IntegrationConfig {
  return typeof (c as IntegrationConfig).secretId === 'string' && typeof (c as IntegrationConfig).graphEndpoint === 'string';
}

/** The reason text for ERROR_REASON: a GraphError names the parameter to fix when it knows one. */
export function errorReason(e: unknown): string {
  if (isGraphError(e)) {
    const hint = e.parameter && !e.message.includes(e.parameter) ? ` Check the "${e.parameter}" parameter.` : '';
    return `${e.message}${hint}`;
  }
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** One invocation; the document's `json_result` has the type of the action's JSON result. */
export async function runAction<M extends ActionMessages, J>(def: ActionDefinition<M, J>, input: RunInput, deps: RunDeps): Promise<ResultDocument<J>> {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? realClock;
  let config: IntegrationConfig | undefined;
  let graph: GraphClient | undefined;
  let digest: string | undefined; // known once the parameters are parsed
  const limits = { ...RESULT_LIMITS, ...deps.resultLimits };
  // The whole document is scrubbed (a json_result or case-wall cell could quote a secret too),
  // with the config's secrets and whatever tokens the client fetched; then bounded.
  let deadline: number | undefined; // known once the state is read
  const finish = (o: ActionOutcome<J>, started: number, invocation: number): ResultDocument<J> =>
    boundResult(scrubDocument(toDocument(def, o, started, invocation, digest, deadline), [config?.secretId, config?.proxy?.password], graph), limits);

  const failWith = (e: unknown): ResultDocument<J> => {
    logger.error({ action: def.name, err: isGraphError(e) ? e.toJSON() : { message: errorReason(e) } }, 'action failed');
    return finish({ is_success: false, execution_state: 'FAILED', output_message: renderMessage(def.messages.error, { ERROR_REASON: errorReason(e) }) }, clock.now(), 1);
  };


  // Usage errors (unknown names, foreign state) propagate; bad values become a failed result.
  let params: Params;
  try {
    config = isParsedConfig(input.config) ? input.config : parseIntegrationConfig(input.config, { env: deps.env, warn: deps.warn });
  } catch (e) {
    if (e instanceof InputError) {
      // Names are checked even when the config is bad, so a typo is still a usage error.
      parseParamNamesOnly(def, input.params);
      return failWith(e);
    }
    throw e;
  }
  try {
    params = parseParams(def.params, input.params ?? {}, { defaultMailbox: config.defaultMailbox });
  } catch (e) {
    if (e instanceof InputError) return failWith(e);
    throw e;
  }
  digest = paramsDigest(params, input.entities ?? []);
  const saved = unwrapState(input.state, def.name, digest);
  const startedAt = saved?.started_at ?? clock.now();
  const invocation = (saved?.invocation ?? 0) + 1;
  // From the run's first invocation, as the flag says, even when a saved run gets it only now.
  deadline = saved?.deadline_at ?? (input.timeoutMs !== undefined ? startedAt + input.timeoutMs : undefined);

  const cfg = config;
  const ctx: ActionContext<M> = {
    action: def,
    params,
    config: cfg,
    get graph(): GraphClient {
      graph ??= deps.createGraph(toGraphClientOptions(cfg, { logger, ...deps.graphOptions }));
      return graph;
    },
    entities: input.entities ?? [],
    state: saved?.data ?? null,
    startedAt,
    invocation,
    deadline,
    logger,
    clock,
    message: (key, values) => renderMessage(def.messages[key], values),
  };
  logger.debug({ action: def.name, params: params.toJSON(), invocation }, 'running action');
  try {
    const outcome = await def.run(ctx);
    return finish(outcome, startedAt, invocation);
  } catch (e) {
    return failWith(e);
  } finally {
    if (graph) await graph.close().catch(() => undefined);
  }
}

function parseParamNamesOnly(def: Pick<ActionDefinition, 'params'>, raw: RunInput['params']): void {
  try {
    parseParams(def.params, raw ?? {}, { defaultMailbox: 'x' });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
}

/** Strings replaced, nothing else: the document keeps its shape (and its JSON result its type). */
function scrubDocument<J>(doc: ResultDocument<J>, secrets: (string | undefined)[], graph: GraphClient | undefined): ResultDocument<J> {
  const scrub = (text: string) => {
    const clean = scrubSecrets(text, secrets);
    return graph?.redact ? graph.redact(clean) : clean;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(doc) as ResultDocument<J>;
}

/** What identifies a run's inputs (parsed values, so `true`/`TRUE` or reordered flags match). */
function paramsDigest(params: Params, entities: readonly Entity[]): string {
  const canonical = JSON.stringify({ p: Object.entries(params.toJSON()).sort(([a], [b]) => a.localeCompare(b)), e: entities });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function toDocument<J>(def: Pick<ActionDefinition, 'name'>, o: ActionOutcome<J>, startedAt: number, invocation: number, digest?: string, deadline?: number): ResultDocument<J> {
  const state = o.execution_state ?? (o.is_success ? 'COMPLETED' : 'FAILED');
  if (state === 'IN_PROGRESS' && (o.state === undefined || o.state === null)) {
    throw new Error(`Action "${def.name}" returned IN_PROGRESS without a state.`);
  }
  const doc: ResultDocument<J> = {
    action: def.name,
    is_success: o.is_success,
    execution_state: state,
    output_message: o.output_message,
    json_result: o.json_result ?? null,
    case_wall: { ...emptyCaseWall(), ...o.case_wall },
    state: state === 'IN_PROGRESS' ? wrapState(def.name, startedAt, invocation, o.state, digest, deadline) : null,
  };
  return doc;
}
