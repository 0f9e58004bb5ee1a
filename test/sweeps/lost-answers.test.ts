/**
 * Answers lost after Exchange acted (emulator `faultStage: 'after'`): a retried DELETE or move
 * then meets a 404. Every match must still be processed exactly once and counted; and an error
 * that hits every mailbox (a revoked permission) stops the run instead of grinding through all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { moveEmailToFolder } from '../../src/actions/move-email-to-folder.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { DOMAIN, invokeAll, mailHarness, rawMail, replayableSeed, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogEntry, RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

const BATCH = 'How many mailboxes to process in a single batch';
const PHISH_ID = '<lost-answer-phish@evil.example>';
const PHISH_SUBJECT = 'Reset your password now';
const N = 30;
const users = Array.from({ length: N }, (_, i) => `lost${String(i).padStart(2, '0')}@${DOMAIN}`);

const SEED = replayableSeed();
let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness({ seed: 'empty', randomSeed: SEED });
});
afterAll(async () => h?.close());

async function seed(count = N): Promise<void> {
  await h.reset('empty');
  await h.admin('PUT', '/settings', { faultRate: 0, faultStage: 'before', throttle: false, permissions: ['Mail.Read', 'Mail.ReadWrite', 'User.Read.All'] });
  await Promise.all(
    users.slice(0, count).map(async (u) => {
      await h.admin('POST', '/users', { userPrincipalName: u, displayName: u });
      await h.deliver(u, 'Inbox', rawMail({ to: u, subject: 'Weekly report' }));
      await h.deliver(u, 'Inbox', rawMail({ to: u, subject: PHISH_SUBJECT, messageId: PHISH_ID, from: 'x@evil.example' }));
    }),
  );
  await h.admin('DELETE', '/requests');
}

const log = async (): Promise<RequestLogEntry[]> => (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries;

async function subjects(g: GraphClient, user: string, folder: string): Promise<string[]> {
  const page = await g.get<{ value: Array<{ subject: string }> }>(`/users/${user}/mailFolders/${folder}/messages`, { query: { $top: 100 } });
  return page.value.map((m) => m.subject);
}

describe('emulator faultStage', () => {
  it('"after" applies the request and then answers the fault', async () => {
    await seed(1);
    const g = h.client({ retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
    const [phish] = (await g.get<{ value: Array<{ id: string; subject: string }> }>(`/users/${users[0]}/mailFolders/inbox/messages`)).value.filter((m) => m.subject === PHISH_SUBJECT);
    await h.admin('PUT', '/settings', { faultRate: 1, faultStatuses: [502], faultStage: 'after' });
    await expect(g.delete(`/users/${users[0]}/messages/${phish.id}`)).rejects.toMatchObject({ status: 502 });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    expect(await subjects(g, users[0], 'deleteditems')).toEqual([PHISH_SUBJECT]);
    await expect(h.admin('PUT', '/settings', { faultStage: 'later' })).rejects.toThrow(/faultStage/);
  });
});

describe('lost answers under a storm', () => {
  it('Delete Email: every match deleted exactly once and counted, retries that met a 404 as already_gone', async () => {
    await seed();
    await h.admin('PUT', '/settings', { faultRate: 0.3, faultStatuses: [503], faultStage: 'after' });
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID, [BATCH]: '10' });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    const last = docs.at(-1)!;
    expect(last.is_success).toBe(true);
    expect(last.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${users.map((u) => `${u}: 1`).join(', ')}`);
    const json = jsonOf(last);
    expect(json.deleted_total).toBe(N);
    expect(json.failed_mailboxes).toEqual([]);
    const gone = json.mailboxes.reduce((n, m) => n + m.already_gone.length, 0);
    const deleted = json.mailboxes.reduce((n, m) => n + m.deleted.length, 0);
    // The faults really did lose answers of applied DELETEs, and each email is in exactly one list.
    expect(gone).toBeGreaterThan(0);
    expect(json.already_gone_total).toBe(gone);
    expect(deleted + gone).toBe(N);
    for (const m of json.mailboxes) expect(m.deleted.length + m.already_gone.length, m.mailbox).toBe(1);
    const g = h.client();
    for (const u of users) {
      expect(await subjects(g, u, 'inbox')).toEqual(['Weekly report']);
      expect(await subjects(g, u, 'deleteditems')).toEqual([PHISH_SUBJECT]);
    }
  });

  it('Move Email To Folder: every match moved exactly once and counted', async () => {
    await seed();
    await h.admin('PUT', '/settings', { faultRate: 0.3, faultStatuses: [503], faultStage: 'after' });
    const docs = await invokeAll(h, moveEmailToFolder, {
      'Move In Mailbox': users.join(','), 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Junk Email', 'Subject Filter': 'password', [BATCH]: '10',
    });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    const last = docs.at(-1)!;
    expect(last.is_success).toBe(true);
    const json = jsonOf(last);
    expect(json.moved_total).toBe(N);
    expect(json.already_gone_total).toBeGreaterThan(0);
    for (const m of json.mailboxes) expect(m.emails.length + m.already_gone.length, m.mailbox).toBe(1);
    const g = h.client();
    for (const u of users) {
      expect(await subjects(g, u, 'inbox')).toEqual(['Weekly report']);
      expect(await subjects(g, u, 'junkemail')).toEqual([PHISH_SUBJECT]);
    }
  });
});

describe('run-wide errors', () => {
  it('a revoked Mail.ReadWrite stops Delete Email after its first batch, naming the rest as skipped', async () => {
    await seed(8);
    await h.admin('PUT', '/settings', { permissions: ['Mail.Read', 'User.Read.All'] });
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.slice(0, 8).join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID, [BATCH]: '3' });
    expect(docs.map((d) => d.execution_state)).toEqual(['FAILED']);
    const [doc] = docs;
    expect(doc.output_message).toMatch(/^Failed to execute action, the error is: /);
    expect(doc.output_message).toContain(`Not processed because of the error above: ${users.slice(3, 8).join(', ')}`);
    const json = jsonOf(doc);
    expect(json.failed_mailboxes.map((f) => [f.mailbox, f.code])).toEqual(users.slice(0, 3).map((u) => [u, 'ErrorAccessDenied']));
    expect(json.skipped_mailboxes).toEqual(users.slice(3, 8));
    // Only the first batch was tried: 3 DELETEs, not 8.
    expect((await log()).filter((e) => e.method === 'DELETE').map((e) => e.status)).toEqual([403, 403, 403]);
  });

  it('no mail permission at all stops Move Email To Folder the same way', async () => {
    await seed(6);
    await h.admin('PUT', '/settings', { permissions: ['User.Read.All'] });
    const docs = await invokeAll(h, moveEmailToFolder, {
      'Move In Mailbox': users.slice(0, 6).join(','), 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Inbox/Sub', 'Mail IDs': PHISH_ID, [BATCH]: '2',
    });
    expect(docs).toHaveLength(1);
    expect(jsonOf(docs[0]).skipped_mailboxes).toEqual(users.slice(2, 6));
    expect(new Set((await log()).map((e) => e.mailbox?.toLowerCase()).filter(Boolean))).toEqual(new Set(users.slice(0, 2)));
  });

  it('counts mailboxes without matches as no proof that deleting works', async () => {
    await seed(4);
    await h.deliver(users[1], 'Inbox', rawMail({ to: users[1], subject: 'Only here' }));
    await h.admin('PUT', '/settings', { permissions: ['Mail.Read', 'User.Read.All'] });
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.slice(0, 4).join(','), 'Folder Name': 'Inbox', 'Subject Filter': 'Only here', [BATCH]: '2' });
    // users[0] had nothing to delete, users[1]'s one match was refused: the run stops there.
    expect(docs).toHaveLength(1);
    const json = jsonOf(docs[0]);
    expect(json.mailboxes.map((m) => m.mailbox)).toEqual([users[0]]);
    expect(json.failed_mailboxes.map((f) => f.mailbox)).toEqual([users[1]]);
    expect(json.skipped_mailboxes).toEqual(users.slice(2, 4));
  });
});
