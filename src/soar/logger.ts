/** Logs go to stderr (stdout carries only the result document), with secrets redacted. */
import pino, { type Logger as PinoLogger } from 'pino';
import { REDACTED } from '../graph/redact.ts';
import type { Logger } from '../graph/types.ts';

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

export function createLogger(opts: { level?: string; destination?: { write(chunk: string): unknown } | number } = {}): PinoLogger & Logger {
  const level = opts.level ?? process.env.MSGRAPH_MAIL_LOG_LEVEL ?? 'warn';
  const dest = opts.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : { write: (chunk: string) => void dest.write(chunk) };
  return pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: REDACTED } }, stream);
}

/** Replace any literal occurrence of the given secrets (messages built from foreign text). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
