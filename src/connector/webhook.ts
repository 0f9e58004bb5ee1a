/**
 * Delivery of committed alerts to `Alerts Webhook URL` (CONTRACT.md §2): from the outbox in the
 * state database, in commit order, one POST per alert (body = the alert, `Idempotency-Key` = its
 * ticket_id, `X-Signature-256` = `sha256=` HMAC of the body), retried with capped exponential
 * backoff until a 2xx; the outbox survives restarts. An alert not delivered holds back every later
 * one, so the receiver sees them in order.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { ConnectorStore } from './store.ts';

export interface WebhookTarget {
  url: string;
  secret?: string;
  verifySsl: boolean;
}

export interface DeliveryReport {
  delivered: number;
  /** The first failure of this pass, if any (its alert and the later ones wait). */
  failure?: string;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60_000;
const TIMEOUT_MS = 30_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempts, 20));
}

function post(target: WebhookTarget, body: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(target.url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers }, rejectUnauthorized: target.verifySsl, timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.once('error', reject);
    req.end(body);
  });
}

/** Sends what is due, in order, until the first failure; returns what happened. */
export async function deliverOutbox(store: ConnectorStore, target: WebhookTarget, nowMs: () => number, limit = 1000): Promise<DeliveryReport> {
  let delivered = 0;
  for (const item of store.outboxDue(nowMs(), limit)) {
    const body = JSON.stringify(item.alert);
    const headers: Record<string, string> = { 'Idempotency-Key': item.alert.ticket_id };
    if (target.secret) headers['X-Signature-256'] = `sha256=${createHmac('sha256', target.secret).update(body).digest('hex')}`;
    let failure: string | undefined;
    try {
      const status = await post(target, body, headers);
      if (status < 200 || status >= 300) failure = `the receiver answered HTTP ${status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (failure === undefined) {
      store.outboxDelivered(item.seq);
      delivered++;
      continue;
    }
    store.outboxFailed(item.seq, nowMs() + backoffMs(item.attempts), failure);
    return { delivered, failure: `webhook delivery of alert ${item.alert.ticket_id} failed (${failure}); retrying in ${Math.round(backoffMs(item.attempts) / 1000)} s` };
  }
  return { delivered };
}
