/** Move Email To Folder and Search Emails against the emulator. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { moveEmailToFolder } from '../../src/actions/move-email-to-folder.ts';
import { searchEmails } from '../../src/actions/search-emails.ts';
import { ALICE, BOB, CAROL, DAVE, GHOST, SOC, invoke, invokeAll, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';
import { jsonOf } from '../helpers/results.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const BATCH = 'How many mailboxes to process in a single batch';
const PHISH_SUBJECT = 'Action required: your mailbox password expires today';

describe('Move Email To Folder', () => {
  it('moves by internetMessageId into a nested destination and maps old ids to new ids', async () => {
    await h.admin('POST', `/users/${ALICE}/folders`, { path: 'Inbox/Quarantine' });
    await h.admin('POST', `/users/${BOB}/folders`, { path: 'Posteingang/Quarantine' });
    const doc = await invoke(h, moveEmailToFolder, {
      'Move In Mailbox': `${ALICE}, ${BOB}, ${GHOST}`,
      'Source Folder Name': 'Inbox',
      'Destination Folder Name': 'inbox/QUARANTINE',
      'Mail IDs': PHISH_MESSAGE_ID,
    });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe(`Successfully moved emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1\nMailbox ${GHOST} was not found.`);
    const json = jsonOf(doc);
    expect(json.moved_total).toBe(2);
    const g = h.client();
    for (const r of json.mailboxes) {
      const [[oldId, newId]] = Object.entries(r.moved);
      expect(newId).not.toBe(oldId);
      const moved = await g.get<{ subject: string; parentFolderId: string }>(`/users/${r.mailbox}/messages/${encodeURIComponent(newId)}`);
      expect(moved.subject).toBe(PHISH_SUBJECT);
      await expect(g.get(`/users/${r.mailbox}/messages/${encodeURIComponent(oldId)}`)).rejects.toMatchObject({ status: 404 });
    }
  });

  it('moves by subject from a nested folder to a well-known folder', async () => {
    const doc = await invoke(h, moveEmailToFolder, {
      'Move In Mailbox': SOC, 'Source Folder Name': 'Inbox/Phishing/2024', 'Destination Folder Name': 'Deleted Items', 'Subject Filter': 'parcel',
    });
    expect(doc.output_message).toBe(`Successfully moved emails in the following mailboxes: ${SOC}: 1`);
  });

  it('names a missing source folder and a missing destination folder with their own messages', async () => {
    const source = await invoke(h, moveEmailToFolder, {
      'Move In Mailbox': `${ALICE},${SOC}`, 'Source Folder Name': 'Inbox/Nope', 'Destination Folder Name': 'Archive', 'Subject Filter': 'x',
    });
    expect(source).toMatchObject({ is_success: false });
    expect(source.output_message).toBe(
      `Action failed to move any emails because the provided source folder was not found in the mailbox(es): ${ALICE}, ${SOC}, Inbox/Nope`,
    );
    const destination = await invoke(h, moveEmailToFolder, {
      'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Inbox/Quarantine/Deep', 'Mail IDs': PHISH_MESSAGE_ID,
    });
    expect(destination.output_message).toBe(
      `Action failed to move any emails because the provided destination folder was not found in the mailbox(es): ${ALICE}, Inbox/Quarantine/Deep`,
    );
    const none = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Archive', 'Subject Filter': "' or 1 eq 1" });
    expect(none).toMatchObject({ is_success: false, output_message: 'Action was not able to find any emails based on the specified search criteria.' });
    const ghosts = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': `${GHOST},${DAVE}`, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Archive', 'Mail IDs': 'a@b' });
    expect(ghosts.output_message).toBe(`Failed to find any of the provided mailboxes: ${GHOST}, ${DAVE}`);
    const bad = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': '/', 'Mail IDs': 'a@b' });
    expect(bad.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for parameter "Destination Folder Name"/);
  });

  it('refuses to run without Mail IDs or any criterion, as Delete Email does, before any Graph request', async () => {
    await h.admin('DELETE', '/requests');
    const none = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Archive' });
    expect(none).toMatchObject({
      is_success: false,
      output_message:
        'Failed to execute action, the error is: Provide "Mail IDs" or at least one of "Subject Filter", "Sender Filter", "Time Frame (minutes)", "Only Unread": ' +
        'without any criterion every email of the folder would be moved.',
    });
    const calls = (await h.admin<{ entries: Array<{ path: string }> }>('GET', '/requests')).entries.filter((e) => !e.path.includes('/token'));
    expect(calls).toEqual([]);
    // "Only Unread" unset and an empty Subject Filter are no criterion either; one criterion is enough to run.
    const blank = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Archive', 'Subject Filter': '', 'Only Unread': 'false' });
    expect(blank.output_message).toMatch(/^Failed to execute action, the error is: Provide "Mail IDs" or at least one of/);
    const unread = await invoke(h, moveEmailToFolder, { 'Move In Mailbox': ALICE, 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Archive', 'Only Unread': 'true' });
    expect(unread.output_message).toMatch(/^Successfully moved emails in the following mailboxes: /);
  });

  it('continues over invocations', async () => {
    const docs = await invokeAll(h, moveEmailToFolder, {
      'Move In Mailbox': [ALICE, BOB, CAROL, SOC].join(','), 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'junkemail', 'Mail IDs': PHISH_MESSAGE_ID, [BATCH]: '3',
    });
    expect(docs.map((d) => d.execution_state)).toEqual(['IN_PROGRESS', 'COMPLETED']);
    expect(jsonOf(docs[1]).moved_total).toBe(4);
  });
});

describe('Search Emails', () => {
  it('fills the Matching Mails table and a JSON result per mailbox', async () => {
    const doc = await invoke(h, searchEmails, { 'Search In Mailbox': `${ALICE}, ${BOB}, ${GHOST}, ${REPORTS_OR(ALICE)}`, 'Folder Name': 'Inbox', 'Subject Filter': 'password' });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe(`Successfully found emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1\nMailbox ${GHOST} was not found.`);
    const [t] = doc.case_wall.tables;
    expect(t.title).toBe('Matching Mails');
    expect(t.columns).toEqual(['Mail ID', 'Subject', 'Sender', 'Receivers', 'Received Date']);
    expect(t.rows).toHaveLength(2);
    expect(t.rows[0].slice(1, 4)).toEqual([PHISH_SUBJECT, 'it-support@login-microsoft-verify.example', `${ALICE}, ${BOB}, ${CAROL}, ${SOC}`]);
    const json = jsonOf(doc);
    expect(json.mailboxes.map((m) => m.mailbox)).toEqual([ALICE, BOB]);
    expect(Object.keys(json.mailboxes[0].emails[0]).filter((k) => !k.startsWith('@')).sort()).toEqual(['from', 'id', 'internetMessageId', 'isRead', 'parentFolderId', 'receivedDateTime', 'subject', 'toRecipients']);
    expect(json.missing_mailboxes).toEqual([GHOST]);
  });

  it('returns every field with Select All Fields For Return and respects Max Emails To Return', async () => {
    for (let i = 0; i < 5; i++) await h.deliver(SOC, 'Inbox', rawMail({ subject: `alert ${i}`, date: new Date(Date.now() - i * 1000) }));
    const doc = await invoke(h, searchEmails, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Subject Filter': 'alert', 'Max Emails To Return': '3', 'Select All Fields For Return': 'true' });
    const emails = jsonOf(doc).mailboxes[0].emails;
    expect(emails).toHaveLength(3);
    expect(emails[0]).toHaveProperty('body');
    expect(emails[0]).toHaveProperty('conversationId');
    expect(doc.output_message).toBe(`Successfully found emails in the following mailboxes: ${SOC}: 3`);
  });

  it('reports no match as a success and no mailbox as a failure', async () => {
    const none = await invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Subject Filter': "') or (1 eq 1" });
    expect(none).toMatchObject({ is_success: true, output_message: 'Action was not able to find any emails based on the specified search criteria.' });
    expect(none.case_wall.tables).toEqual([]);
    const ghosts = await invoke(h, searchEmails, { 'Search In Mailbox': GHOST, 'Folder Name': 'Inbox' });
    expect(ghosts).toMatchObject({ is_success: false, output_message: `Failed to find any of the provided mailboxes: ${GHOST}` });
    const err = await invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Max Emails To Return': 'ten' });
    expect(err.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for parameter "Max Emails To Return"/);
    const noFolder = await invoke(h, searchEmails, { 'Search In Mailbox': `${ALICE},${SOC}`, 'Folder Name': 'Inbox/Phishing' });
    expect(noFolder).toMatchObject({
      is_success: true,
      output_message: `Action was not able to find any emails based on the specified search criteria.\nFolder Inbox/Phishing was not found in the following mailboxes: ${ALICE}`,
    });
    // In no mailbox at all: a failure (the search never looked), not "no emails found".
    const typo = await invoke(h, searchEmails, { 'Search In Mailbox': `${ALICE},${SOC},${GHOST}`, 'Folder Name': 'Inbox/Nope' });
    expect(typo).toMatchObject({
      is_success: false,
      output_message: `Failed to execute action, the error is: Folder Inbox/Nope was not found in the following mailboxes: ${ALICE}, ${SOC}\nMailbox ${GHOST} was not found.`,
    });
  });

  it('searches the German inbox as "Inbox" and continues over invocations', async () => {
    const docs = await invokeAll(h, searchEmails, { 'Search In Mailbox': [ALICE, BOB, CAROL, SOC, GHOST].join(','), 'Folder Name': 'Inbox', 'Subject Filter': 'password', [BATCH]: '2' });
    expect(docs.map((d) => d.execution_state)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    expect(docs[2].output_message).toBe(`Successfully found emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1, ${CAROL}: 1, ${SOC}: 1\nMailbox ${GHOST} was not found.`);
    expect(docs[2].case_wall.tables[0].rows).toHaveLength(4);
  });
});

function REPORTS_OR(m: string): string {
  // A duplicate in another case is dropped.
  return m.toUpperCase();
}
