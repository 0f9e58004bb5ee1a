/**
 * `Mark Emails as Read`, only for emails whose alerts are committed: PATCH isRead in `$batch`
 * calls of at most 20 (the client's BatchRunner), each item's status checked. Done or gone (404)
 * leaves the queue; anything else stays for the next cycle.
 */
import type { GraphClient } from '../graph/types.ts';
import { mailboxPath } from '../mail/mailboxes.ts';
import { segment } from '../graph/url.ts';
import type { ConnectorStore } from './store.ts';

/** Emails marked per pass; the rest wait for the next cycle. */
const PASS = 1000;

export async function markPendingAsRead(graph: GraphClient, store: ConnectorStore, mailbox: string): Promise<{ marked: number; failures: string[] }> {
  const pending = store.pendingMarkRead(PASS);
  if (pending.length === 0) return { marked: 0, failures: [] };
  const results = await graph.batch(
    pending.map((p) => ({
      method: 'PATCH' as const,
      url: `${mailboxPath(mailbox)}/messages/${segment(p.id)}`,
      body: { isRead: true },
      headers: { 'Content-Type': 'application/json' },
      mailbox,
    })),
  );
  const done: string[] = [];
  const failed: string[] = [];
  const reasons = new Map<string, number>();
  results.forEach((r, i) => {
    if ((r.status >= 200 && r.status < 300) || r.status === 404) done.push(pending[i].id);
    else {
      failed.push(pending[i].id);
      const why = r.error?.code ?? `HTTP ${r.status}`;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
  });
  store.markReadDone(done);
  store.markReadFailed(failed);
  const failures = [...reasons].map(([why, n]) => `${n} email(s) could not be marked as read (${why}); retrying next cycle`);
  return { marked: done.length, failures };
}
