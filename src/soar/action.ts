/** What an action is (its documented definition) and what it gets when it runs. */
import type { Clock, GraphClient, Logger } from '../graph/types.ts';
import type { IntegrationConfig } from './config.ts';
import { renderMessage, type MessageTable, type MessageValues } from './messages.ts';
import type { ParamSchema, Params } from './params.ts';
import type { CaseWall, ExecutionState } from './result.ts';

/** SOAR entity scope of an action: `none` = "This action doesn't run on entities". */
export type EntityScope = 'User' | 'none';

export interface Entity {
  /** SOAR entity type, e.g. `User` (from `--entity User:alice@contoso.com`). */
  type: string;
  identifier: string;
}

/** Every table has `error`: the documented "... ERROR_REASON" failure the runtime uses for thrown errors. */
export type ActionMessages = MessageTable & { readonly error: string };

/**
 * `M`: the message table; `J`: the action's JSON result (the `json_result` of its result
 * document), so a caller of `runAction` gets it typed.
 */
export interface ActionDefinition<M extends ActionMessages = ActionMessages, J = unknown> {
  name: string;
  description: string;
  /** Documented as asynchronous: may return IN_PROGRESS with a state and be invoked again. */
  async: boolean;
  entities: EntityScope;
  /** Uses the beta Graph API (documented). */
  betaApi: boolean;
  params: readonly ParamSchema[];
  /** The action's ONE message table: every documented output message, placeholders in braces. */
  messages: M;
  /** Answers TIMEDOUT itself, with its documented message, once `ctx.deadline` has passed. */
  timesOutItself?: boolean;
  run(ctx: ActionContext<M>): Promise<ActionOutcome<J>>;
}

/** The JSON result type of an action definition. */
export type JsonResultOf<A> = A extends ActionDefinition<infer _M, infer J> ? J : never;

export interface ActionContext<M extends ActionMessages = ActionMessages> {
  action: ActionDefinition<M>;
  params: Params;
  config: IntegrationConfig;
  /** Created on first use (so actions that fail validation never open a connection). */
  readonly graph: GraphClient;
  entities: readonly Entity[];
  /** The `data` an earlier IN_PROGRESS invocation returned as `state`, or null on the first one. */
  state: unknown;
  /** When the first invocation of this run started (ms since epoch), kept across invocations. */
  startedAt: number;
  /** 1 for the first invocation of a run, then 2, 3, ... */
  invocation: number;
  /** When the run must give up (ms since epoch; `--timeout`), kept across invocations; undefined = no deadline. */
  deadline?: number;
  logger: Logger;
  clock: Clock;
  /** Render one of the action's documented messages. */
  message(key: keyof M & string, values?: MessageValues): string;
}

/** What `run` returns; the runtime turns it into the result document. `J`: the JSON result. */
export interface ActionOutcome<J = unknown> {
  is_success: boolean;
  output_message: string;
  /** Default: COMPLETED when is_success, FAILED otherwise. */
  execution_state?: ExecutionState;
  json_result?: J;
  case_wall?: Partial<CaseWall>;
  /** Required with IN_PROGRESS: any JSON value, handed back as `ctx.state` next time. */
  state?: unknown;
}

/** What an outcome carries besides its success flag and message. */
export type OutcomeExtras<J = unknown> = Omit<ActionOutcome<J>, 'is_success' | 'output_message'>;

export function succeeded<J = never>(output_message: string, extra: OutcomeExtras<J> = {}): ActionOutcome<J> {
  return { is_success: true, output_message, execution_state: 'COMPLETED', ...extra };
}

export function failed<J = never>(output_message: string, extra: OutcomeExtras<J> = {}): ActionOutcome<J> {
  return { is_success: false, output_message, execution_state: 'FAILED', ...extra };
}

/** An async action's "not finished, call me again with this state". */
export function inProgress<J = never>(output_message: string, state: unknown, extra: Omit<OutcomeExtras<J>, 'state'> = {}): ActionOutcome<J> {
  if (state === undefined || state === null) throw new Error('inProgress() needs a state to continue from.');
  return { is_success: true, output_message, ...extra, execution_state: 'IN_PROGRESS', state };
}

/** Declares an action; keeps the message-table type for `ctx.message` and the JSON result type of `run`. */
export function defineAction<M extends ActionMessages, J>(def: ActionDefinition<M, J>): ActionDefinition<M, J> {
  return def;
}

export function messageOf<M extends ActionMessages>(def: ActionDefinition<M>, key: keyof M & string, values?: MessageValues): string {
  return renderMessage(def.messages[key], values);
}
