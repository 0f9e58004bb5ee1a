/**
 * Graph's throttling model for Outlook resources, per CONTRACT.md §5: per (app, mailbox) at most
 * 4 requests in flight and 10,000 per 10 minutes; per app at most 2,000 per second. A request
 * that is refused does not count against the windows (it never reached the mailbox).
 * Time comes from `now` so tests can move the windows without sleeping.
 */
import { graphErrors } from './errors.ts';

export const MAILBOX_CONCURRENCY = 4;
export const MAILBOX_WINDOW_MS = 10 * 60 * 1000;
export const MAILBOX_WINDOW_LIMIT = 10_000;
export const APP_WINDOW_MS = 1000;
export const APP_WINDOW_LIMIT = 2_000;

interface Window {
  start: number;
  count: number;
}

export type Release = () => void;

export class Throttler {
  private inFlight = new Map<string, number>();
  private mailboxWindows = new Map<string, Window>();
  private appWindows = new Map<string, Window>();

  constructor(
    private readonly now: () => number,
    private readonly limits = {
      concurrency: MAILBOX_CONCURRENCY,
      mailboxLimit: MAILBOX_WINDOW_LIMIT,
      mailboxWindowMs: MAILBOX_WINDOW_MS,
      appLimit: APP_WINDOW_LIMIT,
      appWindowMs: APP_WINDOW_MS,
    },
  ) {}

  reset(): void {
    this.inFlight.clear();
    this.mailboxWindows.clear();
    this.appWindows.clear();
  }

  /**
   * Takes a slot for one request or throws 429 ApplicationThrottled with a Retry-After.
   * `mailbox` is undefined for tenant-level routes (`/users`), which only count per app.
   * `expectedMs` (the configured latency) sizes the concurrency Retry-After: a slot frees up
   * about when the requests in flight finish.
   */
  acquire(app: string, mailbox: string | undefined, expectedMs: number): Release {
    const now = this.now();
    const appWindow = this.window(this.appWindows, app, now, this.limits.appWindowMs);
    if (appWindow.count >= this.limits.appLimit) {
      const wait = (appWindow.start + this.limits.appWindowMs - now) / 1000;
      throw graphErrors.throttled(seconds(wait), 'Application is over its request rate limit.');
    }
    if (mailbox === undefined) {
      appWindow.count += 1;
      return () => {};
    }
    const key = `${app}\0${mailbox}`;
    const mailboxWindow = this.window(this.mailboxWindows, key, now, this.limits.mailboxWindowMs);
    if (mailboxWindow.count >= this.limits.mailboxLimit) {
      const wait = (mailboxWindow.start + this.limits.mailboxWindowMs - now) / 1000;
      throw graphErrors.throttled(seconds(wait), 'Application is over its MailboxRequestRate limit.');
    }
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.limits.concurrency) {
      throw graphErrors.throttled(seconds(Math.max(0.1, expectedMs / 1000)));
    }
    appWindow.count += 1;
    mailboxWindow.count += 1;
    this.inFlight.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }

  private window(map: Map<string, Window>, key: string, now: number, size: number): Window {
    let w = map.get(key);
    if (!w || now - w.start >= size || now < w.start) {
      w = { start: now, count: 0 };
      map.set(key, w);
    }
    return w;
  }
}

/** Retry-After in seconds; fractional below 10 s (Graph sends e.g. "0.5"), whole above. */
function seconds(value: number): number {
  if (value >= 10) return Math.ceil(value);
  return Math.max(0.1, Math.round(value * 10) / 10);
}
