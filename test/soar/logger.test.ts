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

  it('scrubs known secret values from free text', () => {
    expect(scrubSecrets('token abcd1234 leaked', ['abcd1234', undefined, ''])).toBe(`token ${REDACTED} leaked`);
  });
});
