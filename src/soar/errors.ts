/**
 * Errors of the runtime contract. A UsageError means the command could not even be understood
 * (unknown action / parameter names, unreadable config file): the CLI exits 2 without running.
 * An InputError means a value the action was given is wrong: like in the SOAR platform the
 * action still "runs" and fails with its documented error message, so scripts get a result
 * document. Both name the parameter and never carry a secret value.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    /** The documented parameter (or config key) the user must fix. */
    readonly parameter?: string,
  ) {
    super(message);
  }
}
