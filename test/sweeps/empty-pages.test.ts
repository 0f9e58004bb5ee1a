/**
 * Sweeps over an emulator that answers empty pages with a nextLink before every page (and a
 * trailing empty page after the last), alone and together with 429s that carry no Retry-After:
 * Search Emails and Delete Email by internetMessageId still find every email.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { searchEmails, type SearchEmailsJsonResult } from '../../src/actions/search-emails.ts';
import { ALICE, BOB, CAROL, GHOST, SOC, invoke, invokeAll, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';
import type { MessageCopies } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';
import type { ResultDocument } from '../../src/soar/result.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.reset();
  await h.admin('PUT', '/settings', { emptyPageRate: 0, retryAfterOn429: true, faultRate: 0 });
});

const BATCH = 'How many mailboxes to process in a single batch';
const EVERYONE = [ALICE, BOB, CAROL, SOC];

describe.each([
  ['empty pages', { emptyPageRate: 1 }],
  ['empty pages and 429s without Retry-After', { emptyPageRate: 1, retryAfterOn429: false, faultRate: 0.2, faultStatuses: [429] }],
])('with %s', (_label, settings) => {
  it('Search Emails finds the same emails as without them, in a nested folder too', async () => {
    for (let i = 0; i < 12; i++) await h.deliver(SOC, 'Inbox', rawMail({ subject: `password reset ${i}`, date: new Date(Date.now() - i * 60_000) }));
    const params = { 'Search In Mailbox': [...EVERYONE, GHOST].join(','), 'Folder Name': 'Inbox', 'Subject Filter': 'password', [BATCH]: '2' };
    const emailsOf = (docs: ResultDocument<SearchEmailsJsonResult>[]) =>
      jsonOf(docs.at(-1)!).mailboxes.map((m) => [
        m.mailbox,
        m.emails.map((e) => e.internetMessageId).sort(),
      ]);
    const plain = await invokeAll(h, searchEmails, params);
    await h.admin('PUT', '/settings', settings);
    const paged = await invokeAll(h, searchEmails, params);
    expect(paged.at(-1)!.output_message).toBe(plain.at(-1)!.output_message);
    expect(paged.at(-1)!.output_message).toBe(`Successfully found emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1, ${CAROL}: 1, ${SOC}: 13\nMailbox ${GHOST} was not found.`);
    expect(emailsOf(paged)).toEqual(emailsOf(plain));

    const nested = await invoke(h, searchEmails, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox/Phishing/2024', 'Subject Filter': 'parcel' });
    expect(nested.output_message).toBe(`Successfully found emails in the following mailboxes: ${SOC}: 1`);
  });

  it('Delete Email by internetMessageId deletes the copy in every mailbox', async () => {
    await h.admin('PUT', '/settings', settings);
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': [...EVERYONE, GHOST].join(', '), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_MESSAGE_ID.slice(1, -1) });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1, ${CAROL}: 1, ${SOC}: 1\nMailbox ${GHOST} was not found.`);
    await h.admin('PUT', '/settings', { faultRate: 0 });
    const copies = await h.admin<MessageCopies>('GET', `/messages?internetMessageId=${encodeURIComponent(PHISH_MESSAGE_ID)}`);
    expect(copies.byFolder.inbox ?? 0).toBe(0);
    expect(copies.byFolder.deleteditems).toBe(4);
  });
});
