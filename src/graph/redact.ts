/**
 * Scrubs secret values out of any text before it reaches an error, a log line or a result.
 * Secrets are registered as they become known (the access token only exists after the first
 * token fetch), so error builders share one Redactor per client.
 */
export const REDACTED = '[REDACTED]';

export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: Array<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined): void {
    // Very short values would scrub ordinary words; such values are not credible secrets anyway.
    if (secret && secret.length >= 4) {
      this.#secrets.add(secret);
      // Secrets also travel percent-encoded (form bodies, proxy URLs).
      const enc = encodeURIComponent(secret);
      if (enc !== secret) this.#secrets.add(enc);
    }
  }

  /** Only the registered secrets: for results, where credential-looking shapes are user data
   * (an email saying "Basic authentication ..." must stay intact). */
  scrubKnown(text: string): string {
    let out = text;
    // Longest first so a secret that contains another is removed whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join(REDACTED);
    }
    return out;
  }

  scrub(text: string): string {
    let out = this.scrubKnown(text);
    // Credentials in shapes we may not have registered (a token from another client, userinfo in a URL).
    out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`);
    out = out.replace(/(client_secret=)[^&\s]+/gi, `$1${REDACTED}`);
    out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@:]+:[^/\s@]+@/gi, `$1${REDACTED}@`);
    return out;
  }
}

/** A copy of an unknown thrown value that is safe to attach as `cause`: its name, the first
 * system `code` in its cause chain, and the chain's messages joined and scrubbed. The original
 * (which may hold request options, headers or a proxy URL with a password) is not kept. */
export function safeCause(err: unknown, redactor: Redactor): Error {
  const messages: string[] = [];
  let code: string | undefined;
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 6; depth++) {
    const c = cur as { message?: unknown; code?: unknown; cause?: unknown };
    const m = typeof c.message === 'string' ? c.message : typeof cur === 'string' ? cur : '';
    if (m && !messages.includes(m)) messages.push(m);
    if (code === undefined && typeof c.code === 'string') code = c.code;
    cur = typeof cur === 'object' ? c.cause : undefined;
  }
  const out = new Error(redactor.scrub(messages.join(': ') || 'unknown error'));
  const name = (err as { name?: unknown } | undefined)?.name;
  out.name = typeof name === 'string' ? name : 'Error';
  if (code !== undefined) (out as Error & { code?: string }).code = code;
  return out;
}
