/**
 * Delete Email's `Deletion Type` (beyond the documentation) end to end against the emulator:
 * where each email ends up, as the emulator's admin API counts it (Recoverable Items and the
 * Purges folder included).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { describeAction } from '../../src/cli/actions-command.ts';
import { ALICE, BOB, CAROL, SOC, invoke, invokeAll, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const TYPE = 'Deletion Type';
const PHISHED = [ALICE, BOB, CAROL, SOC];
const where = async (internetMessageId: string) =>
  (await h.admin<{ total: number; byFolder: Record<string, number> }>('GET', `/messages?internetMessageId=${encodeURIComponent(internetMessageId)}`));
const purgePhish = (extra: Record<string, string> = {}) =>
  invokeAll(h, deleteEmail, { 'Delete In Mailbox': PHISHED.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID, ...extra });
/** Graph operations the run sent (each `$batch` item is logged on its own). */
const operations = async () => (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries.filter((e) => !e.path.endsWith('$batch'));

describe('Delete Email: Deletion Type', () => {
  it('is an optional list beyond the documentation, defaulting to the documented Deleted Items', () => {
    const p = describeAction(deleteEmail).params.find((x) => x.name === TYPE)!;
    expect(p).toMatchObject({ required: false, default: 'Deleted Items', type: 'list', options: ['Deleted Items', 'Recoverable Items', 'Permanent'], beyond_docs: true });
  });

  it('Deleted Items (default): a plain DELETE; the phish stays one click away in Deleted Items', async () => {
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { inbox: 4 } });
    const [doc] = await purgePhish();
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${PHISHED.map((m) => `${m}: 1`).join(', ')}`);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { deleteditems: 4 } });
    const ops = (await operations()).filter((e) => e.path.includes('/messages/'));
    expect(new Set(ops.map((e) => e.method))).toEqual(new Set(['DELETE']));
    const json = jsonOf(doc);
    expect(json.deletion_type).toBe('Deleted Items');
    expect(json.mailboxes.flatMap((m) => m.deleted.map((d) => d.destination))).toEqual(['deleteditems', 'deleteditems', 'deleteditems', 'deleteditems']);
  });

  it('Deleted Items on Folder Name "Deleted Items": Graph moves them on to Recoverable Items, and the result says so', async () => {
    await purgePhish();
    const [doc] = await purgePhish({ 'Folder Name': 'Deleted Items', [TYPE]: 'Deleted Items' });
    expect(doc.is_success).toBe(true);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { recoverableitemsdeletions: 4 } });
    expect(jsonOf(doc).mailboxes[0].deleted[0].destination).toBe('recoverableitemsdeletions');
  });

  it('Recoverable Items: one move per email to recoverableitemsdeletions, out of every folder the user sees', async () => {
    const [doc] = await purgePhish({ [TYPE]: 'recoverable items' });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${PHISHED.map((m) => `${m}: 1`).join(', ')}`);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { recoverableitemsdeletions: 4 } });
    const ops = (await operations()).filter((e) => e.path.includes('/messages/'));
    expect(ops).toHaveLength(4);
    for (const e of ops) expect(e).toMatchObject({ method: 'POST', path: expect.stringMatching(/\/move$/) });
    const g = h.client();
    for (const m of PHISHED) {
      for (const folder of ['inbox', 'deleteditems']) {
        const page = await g.get<{ value: Array<{ internetMessageId: string }> }>(`/users/${m}/mailFolders/${folder}/messages`, { query: { $select: 'internetMessageId', $top: 100 } });
        expect(page.value.map((x) => x.internetMessageId)).not.toContain(PHISH_MESSAGE_ID);
      }
    }
    const json = jsonOf(doc);
    expect(json.deletion_type).toBe('Recoverable Items');
    expect(json.mailboxes[0].deleted[0]).toMatchObject({ internetMessageId: PHISH_MESSAGE_ID, destination: 'recoverableitemsdeletions' });
  });

  it('Permanent: permanentDelete purges each email; nothing is left for Graph to find', async () => {
    const [doc] = await purgePhish({ [TYPE]: 'Permanent' });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${PHISHED.map((m) => `${m}: 1`).join(', ')}`);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { recoverableitemspurges: 4 } });
    const ops = (await operations()).filter((e) => e.path.includes('/messages/'));
    expect(ops.map((e) => e.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    for (const e of ops) expect(e.path).toMatch(/\/permanentDelete$/);
    expect(jsonOf(doc).mailboxes.flatMap((m) => m.deleted.map((d) => d.destination))).toEqual(Array(4).fill('recoverableitemspurges'));
    // Searching again finds nothing anywhere: not even Recoverable Items holds it.
    for (const folder of ['Inbox', 'Deleted Items', 'recoverableitemsdeletions']) {
      const [again] = await purgePhish({ 'Folder Name': folder });
      expect(again.output_message, folder).toBe('Action was not able to find any emails based on the specified search criteria.');
    }
  });

  it('Permanent also purges what an earlier run only soft-deleted', async () => {
    await purgePhish({ [TYPE]: 'Recoverable Items' });
    const [doc] = await purgePhish({ 'Folder Name': 'recoverableitemsdeletions', [TYPE]: 'Permanent' });
    expect(doc.is_success).toBe(true);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { recoverableitemspurges: 4 } });
  });

  it('a DELETE of emails already in Recoverable Items is refused per email, named without a permission hint, and the run goes on', async () => {
    await purgePhish({ [TYPE]: 'Recoverable Items' });
    await h.deliver(ALICE, 'Inbox', rawMail({ to: ALICE, subject: 'still in inbox', messageId: '<fresh-1@x.example>' }));
    const docs = await invokeAll(h, deleteEmail, {
      'Delete In Mailbox': PHISHED.join(','), 'Folder Name': 'recoverableitemsdeletions', 'Mail IDs': PHISH_MESSAGE_ID, [TYPE]: 'Deleted Items', 'How many mailboxes to process in a single batch': '1',
    });
    const last = docs[docs.length - 1];
    expect(docs).toHaveLength(4);
    expect(last.is_success).toBe(false);
    expect(last.output_message).toContain('ErrorCannotDeleteObject');
    expect(last.output_message).not.toContain('application permission');
    expect(last.output_message).toContain('Emails already in Recoverable Items cannot be deleted again; set "Deletion Type" to Permanent to purge them.');
    const json = jsonOf(last);
    // Every mailbox was tried: an item refusal is not a run-wide permission problem.
    expect(json.skipped_mailboxes ?? []).toEqual([]);
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { recoverableitemsdeletions: 4 } });
  });

  it('a bad value fails before any mailbox is touched, with an error naming the parameter', async () => {
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID, [TYPE]: 'Shred' });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe(
      'Failed to execute action, the error is: Invalid value for parameter "Deletion Type": expected one of "Deleted Items", "Recoverable Items", "Permanent", got "Shred".',
    );
    expect(await where(PHISH_MESSAGE_ID)).toEqual({ total: 4, byFolder: { inbox: 4 } });
    expect(await operations()).toEqual([]);
  });
});
