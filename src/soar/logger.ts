/** Logs go to stderr (stdout carries only the result document), with secrets redacted. */
import { createRequire } from 'node:module';
import type { default as Pino } from 'pino';
import { REDACTED } from '../graph/redact.ts';
import type { Logger } from '../graph/types.ts';

// pino (~7 MB with its transport machinery) is loaded by the first line actually written, not by
// the modules that only need scrubSecrets / silentLogger, nor by a run that logs nothing (the
// default level is warn). The Logger interface is synchronous, hence require over import().
const require = createRequire(import.meta.url);

/** pino's levels; a line is written when its level is at least the configured one. */
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** Keys whose values are secrets wherever they appear (one or two levels deep). */
const SECRET_KEYS = [
  'clientSecret', 'client_secret', 'secretId', 'secret', 'password', 'accessToken', 'access_token',
  'token', 'authorization', 'Authorization', 'Secret ID', 'Proxy Password',
];

export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_]\w*$/.test(k) ? k : `["${k}"]`;
  const sep = key.startsWith('[') ? '' : '.';
  return [key, `*${sep}${key}`, `*.*${sep}${key}`];
});

export function createLogger(opts: { level?: string; destination?: { write(chunk: string): unknown } | number } = {}): Logger {
  const level = opts.level ?? process.env.MSGRAPH_MAIL_LOG_LEVEL ?? 'warn';
  const threshold = LEVELS[level];
  if (threshold === undefined) throw new Error(`Unknown log level "${level}" (MSGRAPH_MAIL_LOG_LEVEL): use one of ${Object.keys(LEVELS).join(', ')}.`);
  const dest = opts.destination ?? 2;
  let logger: Logger | undefined;
  const pinoLogger = (): Logger => {
    if (logger) return logger;
    const pino = require('pino') as typeof Pino;
    const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : { write: (chunk: string) => void dest.write(chunk) };
    return (logger = pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: REDACTED } }, stream));
  };
  const at = (name: keyof Logger, n: number) => (obj: object, msg?: string) => {
    if (n >= threshold) pinoLogger()[name](obj, msg);
  };
  return { debug: at('debug', LEVELS.debug), info: at('info', LEVELS.info), warn: at('warn', LEVELS.warn), error: at('error', LEVELS.error) };
}

/** Replace any literal occurrence of the given secrets (messages built from foreign text). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
