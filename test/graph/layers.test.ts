/** The client's layers in their one order, and the token-less layer for pre-authenticated URLs. */
import { describe, expect, it } from 'vitest';
import { createGraphClient } from '../../src/graph/client.ts';
import { GraphError } from '../../src/graph/errors.ts';
import { LAYER_ORDER, compose, type Exchange, type Layer } from '../../src/graph/layers.ts';
import { baseOptions, captureLogger, graphError, json, scripted } from './helpers.ts';

const UPLOAD = "https://outlook.office.com/api/gv1.0/users('a@x.test')/messages('AAMk1')/AttachmentSessions('AAMk2')?authtoken=eyJ0eXAiOiJKV1QiLCJhbGciOi.secret-part";

describe('layers', () => {
  it('name one order, auth outermost and the attempt innermost', () => {
    expect(LAYER_ORDER).toEqual(['auth', 'mailboxLimit', 'retry', 'pacing', 'attempt']);
  });

  it('compose runs each layer around the next', async () => {
    const seen: string[] = [];
    const tag = (name: string): Layer => async (ex, next) => {
      seen.push(`>${name}`);
      const res = await next({ ...ex, headers: { ...ex.headers, [name]: '1' } });
      seen.push(`<${name}`);
      return res;
    };
    const last: Layer = async (ex) => {
      seen.push(Object.keys(ex.headers).join(','));
      return json(200, {});
    };
    const ex: Exchange = { method: 'GET', url: 'https://graph.test/v1.0/x', headers: {}, endpoint: 'graph', slots: new Map(), operations: 1, idempotent: true, stream: false };
    await compose([tag('a'), tag('b'), last])(ex);
    expect(seen).toEqual(['>a', '>b', 'a,b', '<b', '<a']);
  });
});

describe('pre-authenticated URLs', () => {
  it('never carry the bearer token, go through retry, and keep their credential out of logs and errors', async () => {
    const logger = captureLogger();
    const t = scripted((call, n) => (n === 1 ? graphError(503, 'ServiceUnavailable', { 'Retry-After': '0' }) : n === 2 ? json(200, { nextExpectedRanges: ['4-'] }) : graphError(400, 'InvalidRequest')));
    const c = createGraphClient(baseOptions({ transport: t.transport, logger }));
    const session = c.preAuthenticated(UPLOAD);
    const res = await session.request<{ nextExpectedRanges: string[] }>({ method: 'PUT', body: new Uint8Array([1, 2, 3, 4]), headers: { 'Content-Range': 'bytes 0-3/8' } });
    expect(res.body.nextExpectedRanges).toEqual(['4-']);
    expect(t.tokenCalls).toHaveLength(0);
    expect(t.calls.map((call) => call.url)).toEqual([new URL(UPLOAD).toString(), new URL(UPLOAD).toString()]);
    for (const call of t.calls) {
      expect(Object.keys(call.headers).map((k) => k.toLowerCase())).not.toContain('authorization');
      expect(call.headers['Content-Range']).toBe('bytes 0-3/8');
    }
    const err = await session.request({ method: 'PUT', body: new Uint8Array([5]) }).catch((e) => e);
    expect(err).toBeInstanceOf(GraphError);
    const everything = JSON.stringify([logger.lines, err.message, String(err.stack), JSON.stringify(err)]);
    expect(everything).not.toContain('secret-part');
    expect(c.redact!(`see ${UPLOAD}`)).not.toContain('secret-part');
  });

  it('are refused on any other origin, on plain http, or malformed', () => {
    const t = scripted(() => json(200, {}));
    const c = createGraphClient(baseOptions({ transport: t.transport, preAuthenticatedOrigins: ['https://uploads.partner.test'] }));
    for (const url of ['https://evil.example/upload?authtoken=x', 'http://outlook.office.com/api/x', 'not a url', 'https://graph.test.evil.example/x']) {
      expect(() => c.preAuthenticated(url)).toThrow(GraphError);
    }
    expect(c.preAuthenticated('https://graph.test/v1.0/upload/abc').url).toBe('https://graph.test/v1.0/upload/abc');
    expect(c.preAuthenticated('https://outlook.office365.com/api/x').url).toBe('https://outlook.office365.com/api/x');
    expect(c.preAuthenticated('https://uploads.partner.test/x').url).toBe('https://uploads.partner.test/x');
  });

  it('take a mailbox slot like any request at that mailbox', async () => {
    let inFlight = 0;
    let peak = 0;
    const t = scripted(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return json(200, {});
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, mailboxConcurrency: 2 }));
    const session = c.preAuthenticated(UPLOAD);
    await Promise.all(Array.from({ length: 6 }, () => session.request({ method: 'PUT', body: new Uint8Array([1]), mailbox: 'a@x.test' })));
    expect(peak).toBe(2);
  });
});
