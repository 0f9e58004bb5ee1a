/**
 * The SOAR's overflow rule (Google SecOps "Configure alert overflow"; the SDK's OverflowManager
 * defaults): more than 50 similar alerts (same environment, product and rule generator) within
 * 10 minutes, and the 51st and later are recorded as overflow instead of emitted. The decision is
 * stored with the alert, so it is made once, never re-evaluated every cycle.
 */
import { overflowKey } from './sqlite-store.ts';
import type { Alert } from './alert.ts';
import type { ConnectorStore } from './store.ts';

export const OVERFLOW_MAX_ALERTS = 50;
export const OVERFLOW_WINDOW_MS = 10 * 60_000;

export function overflowRule(store: Pick<ConnectorStore, 'countRecent'>, nowMs: number): (alert: Alert) => boolean {
  const thisCycle = new Map<string, number>();
  return (alert) => {
    const key = overflowKey(alert);
    const before = store.countRecent(key, nowMs - OVERFLOW_WINDOW_MS) + (thisCycle.get(key) ?? 0);
    if (before >= OVERFLOW_MAX_ALERTS) return true;
    thisCycle.set(key, (thisCycle.get(key) ?? 0) + 1);
    return false;
  };
}
