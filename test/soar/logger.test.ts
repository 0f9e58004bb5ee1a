import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/graph/redact.ts';
import { createLogger, scrubSecrets } from '../../src/soar/logger.ts';

describe('logger', () => {
  it('writes JSON lines to the given sink with secrets redacted', () => {
    let out = '';
    const log = createLogger({ level: 'debug', destination: { write: (s: string) => (out += s) } });
    log.info({ clientSecret: 's1-secret', req: { authorization: 'Bearer tok-secret' }, params: { 'Secret ID': 's2-secret' } }, 'hello');
    expect(out).toContain('"msg":"hello"');
    for (const s of ['s1-secret', 'tok-secret', 's2-secret']) expect(out).not.toContain(s);
  });

  it('writes only lines at or above its level', () => {
    let out = '';
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => (out += s) } });
    log.debug({ step: 1 }, 'quiet');
    log.info({ step: 2 }, 'quiet');
    expect(out).toBe('');
    log.warn({ step: 3 }, 'loud');
    log.error({ step: 4 }, 'louder');
    expect(out).not.toContain('quiet');
    expect(out.trim().split('\n').map((l) => JSON.parse(l).msg)).toEqual(['loud', 'louder']);
  });

  it('refuses an unknown level, naming the variable and the valid ones', () => {
    expect(() => createLogger({ level: 'verbose' })).toThrow('Unknown log level "verbose" (MSGRAPH_MAIL_LOG_LEVEL): use one of trace, debug, info, warn, error, fatal, silent.');
  });

  it('scrubs known secret values from free text', () => {
    expect(scrubSecrets('token abcd1234 leaked', ['abcd1234', undefined, ''])).toBe(`token ${REDACTED} leaked`);
  });
});
