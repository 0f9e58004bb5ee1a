/** Delete Email against the emulator: every documented message, Mail IDs, filters, folders, async batches. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { ALICE, BOB, CAROL, DAVE, GHOST, SOC, invoke, invokeAll, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const BATCH = 'How many mailboxes to process in a single batch';
const subjectsIn = async (mailbox: string, folder: string) => {
  const g = h.client();
  const page = await g.get<{ value: Array<{ subject: string; internetMessageId: string }> }>(`/users/${mailbox}/mailFolders/${folder}/messages`, { query: { $top: 100 } });
  return page.value.map((m) => m.subject);
};
const PHISH_SUBJECT = 'Action required: your mailbox password expires today';

describe('Delete Email', () => {
  it('refuses a mailbox list of only separators instead of falling back to the Default Mailbox', async () => {
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ' , ', 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe('Failed to execute action, the error is: Missing required parameter "Delete In Mailbox".');
    expect(await subjectsIn(SOC, 'inbox')).toContain(PHISH_SUBJECT);
  });

  it('purges the phish by internetMessageId (without <>) across mailboxes, naming missing ones', async () => {
    const docs = await invokeAll(h, deleteEmail, {
      'Delete In Mailbox': [ALICE, GHOST, BOB, CAROL, SOC, DAVE].join(', '),
      'Folder Name': 'Inbox',
      'Mail IDs': PHISH_MESSAGE_ID.slice(1, -1),
    });
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED', state: null });
    expect(doc.output_message).toBe(
      [
        `Successfully deleted emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1, ${CAROL}: 1, ${SOC}: 1`,
        `Mailbox ${GHOST} was not found.`,
        `Mailbox ${DAVE} was not found.`,
      ].join('\n'),
    );
    // Stages, not per-mailbox round trips: $batch calls of 4 items (what Graph runs at a time) to
    // find in 6 mailboxes (Inbox needs no folder lookup), then one call to delete in 4.
    const entries: Array<{ method: string; path: string }> = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries;
    expect(entries.filter((e) => e.path.endsWith('$batch')).map((e) => e.method)).toEqual(['POST', 'POST', 'POST']);
    expect(entries.filter((e) => e.path.includes('/users/')).length).toBe(6 + 4);
    const json = jsonOf(doc);
    expect(json.deleted_total).toBe(4);
    expect(json.missing_mailboxes).toEqual([GHOST, DAVE]);
    expect(json.mailboxes.map((m) => [m.mailbox, m.deleted.map((d) => d.internetMessageId)])).toEqual(
      [ALICE, BOB, CAROL, SOC].map((m) => [m, [PHISH_MESSAGE_ID]]),
    );
    for (const m of [ALICE, BOB, CAROL, SOC]) {
      expect(await subjectsIn(m, 'inbox')).not.toContain(PHISH_SUBJECT);
      // Graph's DELETE moves to Deleted Items, like Outlook.
      expect(await subjectsIn(m, 'deleteditems')).toContain(PHISH_SUBJECT);
    }
  });

  it('accepts Graph ids and bracketed internetMessageIds together, reporting ids that matched nothing', async () => {
    const g = h.client();
    const inbox = await g.get<{ value: Array<{ id: string; subject: string }> }>(`/users/${ALICE}/mailFolders/inbox/messages`);
    const invoice = inbox.value.find((m) => m.subject === 'Invoice 2024-117')!;
    const doc = await invoke(h, deleteEmail, {
      'Delete In Mailbox': ALICE,
      'Folder Name': 'inbox',
      'Mail IDs': `${invoice.id}, ${PHISH_MESSAGE_ID}, <nothing@nowhere.example>, AAMkAGZmZmZmZmZm`,
      // Ignored because Mail IDs win:
      'Subject Filter': 'no such subject',
    });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${ALICE}: 2`);
    const r = jsonOf(doc).mailboxes[0];
    expect(r.deleted.map((d) => d.subject).sort()).toEqual([PHISH_SUBJECT, 'Invoice 2024-117']);
    expect(r.not_found_ids).toEqual(['<nothing@nowhere.example>', 'AAMkAGZmZmZmZmZm']);
  });

  it('never deletes a Graph id that lies outside the Folder Name, well-known or not', async () => {
    // Graph serves mailFolders/inbox/messages/{id} for a message in any folder (the emulator does too).
    const sent = await h.deliver(ALICE, 'Sent Items', rawMail({ subject: 'my own sent mail', messageId: '<own-sent@test.contoso.example>' }));
    const binned = await h.deliver(ALICE, 'Deleted Items', rawMail({ subject: 'already binned', messageId: '<binned@test.contoso.example>' }));
    for (const folder of ['Inbox', 'inbox', 'Archive']) {
      const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': folder, 'Mail IDs': `${sent.id}, ${binned.id}` });
      expect(jsonOf(doc).mailboxes[0]).toMatchObject({ deleted: [], not_found_ids: [sent.id, binned.id] });
    }
    expect(await subjectsIn(ALICE, 'sentitems')).toContain('my own sent mail');
    expect(await subjectsIn(ALICE, 'deleteditems')).toContain('already binned');
  });

  it('works in nested folders and in a German mailbox', async () => {
    await h.deliver(SOC, 'Inbox/Phishing/2024', rawMail({ subject: 'Phish copy', messageId: '<copy@x.example>' }));
    await h.deliver(BOB, 'Posteingang/Projekte', rawMail({ subject: 'Phish copy', messageId: '<copy@x.example>' }));
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': SOC, 'Folder Name': 'inbox/phishing/2024', 'Subject Filter': 'phish COPY' });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${SOC}: 1`);
    const de = await invoke(h, deleteEmail, { 'Delete In Mailbox': BOB, 'Folder Name': 'Inbox/Projekte', 'Mail IDs': 'copy@x.example' });
    expect(de.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${BOB}: 1`);
    const de2 = await invoke(h, deleteEmail, { 'Delete In Mailbox': BOB, 'Folder Name': 'Posteingang', 'Subject Filter': 'password' });
    expect(de2.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${BOB}: 1`);
  });

  it('combines Sender Filter, Only Unread and Time Frame', async () => {
    const old = new Date(Date.now() - 5 * 3600_000).toISOString();
    await h.deliver(CAROL, 'Inbox', rawMail({ from: 'x@evil.example', subject: 'old unread' }), { receivedDateTime: old });
    await h.deliver(CAROL, 'Inbox', rawMail({ from: 'x@evil.example', subject: 'new read' }), { isRead: true });
    await h.deliver(CAROL, 'Inbox', rawMail({ from: 'x@evil.example', subject: 'new unread' }));
    const doc = await invoke(h, deleteEmail, {
      'Delete In Mailbox': CAROL, 'Folder Name': 'Inbox', 'Sender Filter': 'X@evil.example', 'Only Unread': 'true', 'Time Frame (minutes)': '60',
    });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${CAROL}: 1`);
    expect(jsonOf(doc).mailboxes[0].deleted.map((d) => d.subject)).toEqual(['new unread']);
  });

  it('never lets filter text change the query', async () => {
    for (const subject of ["' or 1 eq 1 or subject eq '", "x') or (isRead eq false", "password' or isRead eq true or subject eq 'x"]) {
      const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Subject Filter': subject });
      expect(doc.output_message, subject).toBe('Action was not able to find any emails based on the specified search criteria.');
      expect(doc.is_success).toBe(false);
    }
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Mail IDs': "<x' or internetMessageId ne 'y@z>" });
    expect(doc.output_message).toBe('Action was not able to find any emails based on the specified search criteria.');
    expect(await subjectsIn(ALICE, 'inbox')).toHaveLength(3);
  });

  it('reports the folder-not-found and no-mailbox failures', async () => {
    const noFolder = await invoke(h, deleteEmail, { 'Delete In Mailbox': `${ALICE},${SOC}`, 'Folder Name': 'Inbox/Nope', 'Subject Filter': 'password' });
    expect(noFolder).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(noFolder.output_message).toBe(
      `Action failed to delete any emails because the provided mailbox folder name was not found in the mailbox(es): ${ALICE}, ${SOC}, Inbox/Nope`,
    );
    const someFolder = await invoke(h, deleteEmail, { 'Delete In Mailbox': `${ALICE},${SOC}`, 'Folder Name': 'Inbox/Phishing', 'Subject Filter': 'closed' });
    expect(someFolder.output_message).toBe(
      `Action was not able to find any emails based on the specified search criteria.\n` +
        `Action failed to delete any emails because the provided mailbox folder name was not found in the mailbox(es): ${ALICE}, Inbox/Phishing`,
    );
    const ghosts = await invoke(h, deleteEmail, { 'Delete In Mailbox': `${GHOST}, nobody@contoso.example`, 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID });
    expect(ghosts).toMatchObject({ is_success: false, output_message: `Failed to find any of the provided mailboxes: ${GHOST}, nobody@contoso.example` });
  });

  it('fails with the documented error naming the parameter for bad input', async () => {
    const none = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox' });
    expect(none.is_success).toBe(false);
    expect(none.output_message).toMatch(/^Failed to execute action, the error is: Provide "Mail IDs" or at least one of/);
    const folder = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': ' / ', 'Subject Filter': 'x' });
    expect(folder.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for parameter "Folder Name"/);
    const batch = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Subject Filter': 'x', [BATCH]: '0' });
    expect(batch.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for parameter "How many mailboxes to process in a single batch"/);
    const control = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Subject Filter': 'a\u0001b' });
    expect(control.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for parameter "Subject Filter"/);
    // Nothing was touched.
    expect(await subjectsIn(ALICE, 'inbox')).toHaveLength(3);
  });

  it('processes one batch per invocation and reports the totals of all at the end', async () => {
    const params = { 'Delete In Mailbox': [ALICE, BOB, GHOST, CAROL, SOC].join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID, [BATCH]: '2' };
    const first = await invoke(h, deleteEmail, params);
    expect(first).toMatchObject({ is_success: true, execution_state: 'IN_PROGRESS', json_result: null });
    expect(first.output_message).toBe('Processed 2 of 5 mailboxes, 2 emails deleted so far; the next invocation continues with the next batch.');
    // Only the first batch was touched.
    expect(await subjectsIn(CAROL, 'inbox')).toContain(PHISH_SUBJECT);
    const second = await invoke(h, deleteEmail, params, first.state);
    expect(second.execution_state).toBe('IN_PROGRESS');
    const third = await invoke(h, deleteEmail, params, second.state);
    expect(third.execution_state).toBe('COMPLETED');
    expect(third.output_message).toBe(
      `Successfully deleted emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1, ${CAROL}: 1, ${SOC}: 1\nMailbox ${GHOST} was not found.`,
    );
    expect(jsonOf(third).deleted_total).toBe(4);
    const log = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries.filter((e) => e.method === 'DELETE');
    expect(log).toHaveLength(4);
  });
});
