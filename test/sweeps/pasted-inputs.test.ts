/**
 * Inputs as people write them, against the emulator: a Sender Filter pasted from a From header,
 * and numbers outside their documented range refused before any mailbox is touched.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { downloadAttachmentsFromEmail } from '../../src/actions/download-attachments-from-email.ts';
import { searchEmails } from '../../src/actions/search-emails.ts';
import { mime } from '../content/helpers.ts';
import { ALICE, BOB, invoke, mailHarness, rawMail, type MailHarness } from '../mail/helpers.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const BOSS = 'boss@ceo-fraud.example';
const FROM_HEADER = `"Boss, The (CEO)" <${BOSS}>`;

async function seedBoss(): Promise<void> {
  for (const mailbox of [ALICE, BOB]) await h.deliver(mailbox, 'Inbox', rawMail({ from: FROM_HEADER, to: mailbox, subject: 'Urgent wire transfer' }));
}

/** Graph requests other than the token's, since the last reset. */
async function graphCalls(): Promise<string[]> {
  const log = await h.admin<{ entries: Array<{ path: string }> }>('GET', '/requests');
  return log.entries.map((e) => e.path).filter((p) => !p.includes('/token'));
}

describe('Sender Filter as pasted from a header', () => {
  it('finds the sender\'s emails for the bare, bracketed, named and quoted-name forms', async () => {
    await seedBoss();
    for (const form of [BOSS, `<${BOSS}>`, `The Boss <${BOSS}>`, FROM_HEADER, ` ${FROM_HEADER.toUpperCase()} `]) {
      const doc = await invoke(h, searchEmails, { 'Search In Mailbox': `${ALICE}, ${BOB}`, 'Folder Name': 'Inbox', 'Sender Filter': form });
      expect(doc.output_message, form).toBe(`Successfully found emails in the following mailboxes: ${ALICE}: 1, ${BOB}: 1`);
      expect(doc.case_wall.tables[0].rows.map((r) => r[2]), form).toEqual([BOSS, BOSS]);
    }
  });

  it('works for the other sweeps that take it: Delete Email and Download Attachments From Email', async () => {
    await seedBoss();
    await h.deliver(ALICE, 'Inbox', mime({ from: FROM_HEADER, subject: 'Invoice attached', parts: [{ name: 'invoice.pdf', contentType: 'application/pdf', content: '%PDF boss' }] }));
    const dir = await mkdtemp(join(tmpdir(), 'pasted-'));
    const download = await invoke(h, downloadAttachmentsFromEmail, {
      'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Sender Filter': FROM_HEADER, 'Download Destination': 'Local File System', 'Download Path': dir,
    });
    expect(download).toMatchObject({ is_success: true });
    expect(await readFile(join(dir, 'invoice.pdf'), 'utf8')).toBe('%PDF boss');
    const deleted = await invoke(h, deleteEmail, { 'Delete In Mailbox': `${ALICE}, ${BOB}`, 'Folder Name': 'Inbox', 'Sender Filter': `Boss <${BOSS}>` });
    expect(deleted.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${ALICE}: 2, ${BOB}: 1`);
  });

  it('fails naming the parameter for an empty <> or two addresses, before any Graph request', async () => {
    for (const [form, reason] of [
      ['Nobody <>', 'expected an email address, got "Nobody <>" (nothing between < and >).'],
      [`A <${BOSS}>, B <b@x.example>`, `expected one sender address, got 2 (${BOSS}, b@x.example).`],
    ]) {
      const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Sender Filter': form });
      expect(doc).toMatchObject({ is_success: false, output_message: `Failed to execute action, the error is: Invalid value for parameter "Sender Filter": ${reason}` });
    }
    expect(await graphCalls()).toEqual([]);
  });
});

describe('numbers in their documented range', () => {
  it('refuses a Time Frame past 100 years, which used to reach Graph as a year -16987 filter', async () => {
    const runs = [
      () => invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Time Frame (minutes)': '9999999999' }),
      () => invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Time Frame (minutes)': '9999999999' }),
    ];
    for (const run of runs) {
      const doc = await run();
      expect(doc).toMatchObject({
        is_success: false,
        output_message: 'Failed to execute action, the error is: Invalid value for parameter "Time Frame (minutes)": expected a whole number between 1 and 52596000, got "9999999999".',
      });
    }
    expect(await graphCalls()).toEqual([]);
    // The largest Time Frame is a valid filter that Graph answers.
    await seedBoss();
    const widest = await invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Sender Filter': BOSS, 'Time Frame (minutes)': '52596000' });
    expect(widest.output_message).toBe(`Successfully found emails in the following mailboxes: ${ALICE}: 1`);
  });

  it('says the accepted range of Max Emails To Return and the batch size, also above 2^53', async () => {
    const max = await invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Max Emails To Return': '9007199254740993' });
    expect(max.output_message).toBe(
      'Failed to execute action, the error is: Invalid value for parameter "Max Emails To Return": expected a whole number between 1 and 1000000, got "9007199254740993".',
    );
    const batch = await invoke(h, searchEmails, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox', 'How many mailboxes to process in a single batch': '0' });
    expect(batch.output_message).toBe(
      'Failed to execute action, the error is: Invalid value for parameter "How many mailboxes to process in a single batch": expected a whole number between 1 and 1000000, got "0".',
    );
    expect(await graphCalls()).toEqual([]);
  });
});
