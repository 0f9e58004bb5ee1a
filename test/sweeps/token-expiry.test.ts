/**
 * A token that expires in the middle of a sweep: Graph refuses it (401) while the client still
 * thinks it fresh, because the service clock ran ahead of ours (emulator `clockOffsetSeconds`,
 * moved once part-way through the run). The client refreshes once and sends the refused requests
 * again, so no mailbox fails and only one extra token is asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { createHttpTransport } from '../../src/graph/transport.ts';
import type { Transport } from '../../src/graph/types.ts';
import { DOMAIN, invokeAll, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogSnapshot, Traffic, MessageCopies } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

const BATCH = 'How many mailboxes to process in a single batch';
const PHISH_ID = '<expiring-token-phish@evil.example>';
const N = 64;
const LIFETIME = 600;
const users = Array.from({ length: N }, (_, i) => `exp${String(i).padStart(2, '0')}@${DOMAIN}`);

let h: MailHarness;
const http = createHttpTransport({ verifySsl: false, timeoutMs: 60_000 });
beforeAll(async () => {
  h = await mailHarness({ seed: 'empty' });
});
afterAll(async () => {
  await http.close();
  await h?.close();
});

/** The real transport, moving the emulator clock past the token lifetime once the `after`-th `$batch` call has been answered. */
function expiringAfter(after: number): { transport: Transport; moved: () => boolean } {
  let batches = 0;
  let moved = false;
  const transport: Transport = async (req, opts) => {
    const res = await http.transport(req, opts);
    if (req.url.endsWith('/$batch') && ++batches === after) {
      await h.admin('PUT', '/settings', { clockOffsetSeconds: LIFETIME + 1 });
      moved = true;
    }
    return res;
  };
  return { transport, moved: () => moved };
}

describe('a token expiring mid-sweep', () => {
  it('Delete Email over 64 mailboxes completes with no failed mailbox and one extra token request', async () => {
    await h.reset('empty');
    await h.admin('PUT', '/settings', { throttle: false, clockOffsetSeconds: 0, tokenLifetimeSeconds: LIFETIME });
    await h.admin('POST', '/bulk', {
      users: users.map((u) => ({ userPrincipalName: u })),
      messages: [{ raw: rawMail({ subject: 'Reset your password', messageId: PHISH_ID, from: 'x@evil.example' }) }],
    });
    await h.admin('DELETE', '/requests');
    // The find calls of the first invocation go out together; the clock moves when the second is answered, so the delete stage meets the refusal.
    const clock = expiringAfter(2);
    try {
      const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID, [BATCH]: '10' }, { transport: clock.transport });
      expect(clock.moved()).toBe(true);
      const last = docs.at(-1)!;
      expect(last).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
      const json = jsonOf(last);
      expect(json.failed_mailboxes).toEqual([]);
      expect(json.deleted_total).toBe(N);
      const copies = await h.admin<MessageCopies>('GET', `/messages?internetMessageId=${encodeURIComponent(PHISH_ID)}`);
      expect(copies).toEqual({ total: N, byFolder: { deleteditems: N } });
      // The emulator did refuse the old token part-way, and one new token served every refused call.
      const log: Array<{ status: number; path: string }> = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries;
      expect(log.filter((e) => e.status === 401).length).toBeGreaterThan(0);
      const traffic = await h.admin<Traffic>('GET', '/traffic');
      // One token per invocation (each builds its own client), plus the refresh.
      expect(traffic.tokenRequests).toBe(docs.length + 1);
    } finally {
      await h.admin('PUT', '/settings', { clockOffsetSeconds: 0, tokenLifetimeSeconds: 3600 });
    }
  });

  it('a $batch call whose token expires while its items wait for a lane: the refused items go again after one refresh', async () => {
    await h.reset('empty');
    const boxes = users.slice(0, 20);
    await h.admin('PUT', '/settings', { throttle: false, clockOffsetSeconds: 0, tokenLifetimeSeconds: LIFETIME, latencyMs: 300 });
    await h.admin('POST', '/bulk', { users: boxes.map((u) => ({ userPrincipalName: u })), messages: [] });
    const g = h.client({ batchItemsPerCall: 20 });
    try {
      await g.getToken();
      await h.admin('DELETE', '/requests');
      // Graph runs the 20 items 4 at a time (300 ms each); the service clock passes the token's
      // expiry while the first wave runs, so the later waves are refused inside the 200 call.
      const moved = new Promise<void>((resolve) => setTimeout(() => void h.admin('PUT', '/settings', { clockOffsetSeconds: LIFETIME + 1 }).then(() => resolve()), 150));
      const results = await g.batch(boxes.map((u) => ({ method: 'GET' as const, url: `/users/${u}/mailFolders/inbox?$select=id`, mailbox: u })));
      await moved;
      expect(results.map((r) => r.status)).toEqual(boxes.map(() => 200));
      const log: Array<{ status: number; path: string }> = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries;
      expect(log.filter((e) => e.status === 401 && e.path.includes('/mailFolders/')).length).toBeGreaterThan(0);
      expect((await h.admin<Traffic>('GET', '/traffic')).tokenRequests).toBe(1);
    } finally {
      await h.admin('PUT', '/settings', { clockOffsetSeconds: 0, tokenLifetimeSeconds: 3600, latencyMs: 0 });
    }
  });
});
