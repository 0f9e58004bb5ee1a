/** What the CLI talks to; tests pass their own to run commands in-process. */
import type { Clock, GraphClient, GraphClientOptions } from '../graph/types.ts';
import type { ActionDefinition } from '../soar/action.ts';

export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliDeps {
  stdout?: TextSink;
  stderr?: TextSink;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  createGraph?: (opts: GraphClientOptions) => GraphClient;
  /** Extra client options (tests: an instant clock, fewer retries). */
  graphOptions?: Partial<GraphClientOptions>;
  /** Actions added to the registry for this call only (tests: a fake async action). */
  extraActions?: ActionDefinition[];
  /** Terminal width for `--format table` (default: the terminal's, else `COLUMNS`, else 120). */
  columns?: number;
}
