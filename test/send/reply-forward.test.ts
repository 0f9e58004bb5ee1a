/** Send Thread Reply and Forward Email against the emulator's mail flow: threads seen from both mailboxes. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forwardEmail } from '../../src/actions/forward-email.ts';
import { sendEmail } from '../../src/actions/send-email.ts';
import { sendThreadReply } from '../../src/actions/send-thread-reply.ts';
import { ALICE, BOB, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';

let h: MailHarness;
let dir: string;
beforeAll(async () => {
  h = await mailHarness();
  dir = await mkdtemp(join(tmpdir(), 'reply-forward-'));
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

interface Row { id: string; subject?: string; conversationId?: string; internetMessageId?: string; hasAttachments?: boolean; internetMessageHeaders?: Array<{ name: string; value: string }> }

async function find(mailbox: string, folder: string, subject: string): Promise<Row> {
  const list = await h.client().get<{ value: Row[] }>(`/users/${mailbox}/mailFolders/${folder}/messages`, { query: { $select: 'id,subject,conversationId,internetMessageId,hasAttachments,internetMessageHeaders' } });
  const hit = list.value.find((m) => m.subject === subject);
  if (!hit) throw new Error(`no "${subject}" in ${mailbox}/${folder}: ${list.value.map((m) => m.subject).join(' | ')}`);
  return hit;
}

const header = (m: Row, name: string) => m.internetMessageHeaders?.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value;

async function aliceReports(subject: string, attach?: string): Promise<Row> {
  const doc = await invoke(h, sendEmail, { 'Send From': ALICE, Subject: subject, 'Send to': SOC, 'Mail Content': 'Is this phishing?', ...(attach ? { 'Attachments Paths': attach } : {}) });
  expect(doc.is_success, doc.output_message).toBe(true);
  return find(SOC, 'inbox', subject);
}

describe('Send Thread Reply', () => {
  it('answers in the thread: the reporter gets RE: with In-Reply-To = the original and the same conversation', async () => {
    const original = await aliceReports('Suspicious invoice');
    const doc = await invoke(h, sendThreadReply, { 'Send From': SOC, 'Mail ID': original.id, 'Mail Content': 'Thanks, it is phishing. We purged it.' });
    expect(doc, doc.output_message).toMatchObject({ is_success: true, output_message: `Successfully sent reply to the mail with ID: ${original.id}` });
    const reply = await find(ALICE, 'inbox', 'RE: Suspicious invoice');
    expect(header(reply, 'In-Reply-To')).toBe(original.internetMessageId);
    // One conversation in each mailbox: the reporter's sent report and the reply she got; ours likewise.
    expect(reply.conversationId).toBe((await find(ALICE, 'sentitems', 'Suspicious invoice')).conversationId);
    expect((await find(SOC, 'sentitems', 'RE: Suspicious invoice')).conversationId).toBe(original.conversationId);
  });

  it('a reply that would only reach oneself needs Reply To; with it, it goes there', async () => {
    const sent = await invoke(h, sendEmail, { 'Send From': SOC, Subject: 'Note to self', 'Send to': ALICE, 'Mail Content': 'x' });
    const own = await find(SOC, 'sentitems', 'Note to self');
    expect(sent.is_success).toBe(true);
    const refused = await invoke(h, sendThreadReply, { 'Send From': SOC, 'Mail ID': own.id, 'Folder Name': 'Sent Items', 'Mail Content': 'follow-up' });
    expect(refused).toMatchObject({ is_success: false, output_message: 'Error executing action "Send Thread Reply". Reason: if you want to send a reply only to your own email address, you need to work with "Reply To" parameter.' });
    const ok = await invoke(h, sendThreadReply, { 'Send From': SOC, 'Mail ID': own.id, 'Folder Name': 'Sent Items', 'Mail Content': 'follow-up', 'Reply To': BOB });
    expect(ok.is_success, ok.output_message).toBe(true);
    await find(BOB, 'inbox', 'RE: Note to self');
  });

  it('an unknown Mail ID is the documented failure', async () => {
    const doc = await invoke(h, sendThreadReply, { 'Send From': SOC, 'Mail ID': '<nope@contoso.example>', 'Mail Content': 'x' });
    expect(doc).toMatchObject({ is_success: false, output_message: 'Error executing action "Send Thread Reply" because the provided mail id <nope@contoso.example> was not found.' });
  });
});

describe('attachments checked before anything is sent', () => {
  it('Send Thread Reply and Forward Email name the missing files with their documented message', async () => {
    const original = await aliceReports('Check attachments');
    const missing = join(dir, 'gone.pdf');
    const reply = await invoke(h, sendThreadReply, { 'Send From': SOC, 'Mail ID': original.id, 'Mail Content': 'x', 'Attachments Paths': missing });
    expect(reply).toMatchObject({ is_success: false, output_message: `Action failed to run because specified attachments were not found: ${missing}` });
    const fwd = await invoke(h, forwardEmail, { 'Send From': SOC, 'Mail ID': original.id, Subject: 's', 'Send to': BOB, 'Mail content': 'x', 'Attachments Paths': missing });
    expect(fwd).toMatchObject({ is_success: false, output_message: `Action failed to run because specified attachments were not found: ${missing}` });
    const list = await h.client().get<{ value: Row[] }>(`/users/${SOC}/mailFolders/drafts/messages`, { query: { $select: 'id,subject' } });
    expect(list.value).toEqual([]);
  });
});

describe('Forward Email', () => {
  it('forwards with its subject, CC, content and a new attachment; the original attachment is kept', async () => {
    const evidence = join(dir, 'evidence.txt');
    const note = join(dir, 'analyst-note.txt');
    await writeFile(evidence, 'original evidence');
    await writeFile(note, 'analyst note');
    const original = await aliceReports('Phish to forward', evidence);
    const doc = await invoke(h, forwardEmail, { 'Send From': SOC, 'Mail ID': original.id, Subject: 'FW: phish for the vendor', 'Send to': BOB, CC: ALICE, 'Mail content': 'Please block this sender.', 'Attachments Paths': note });
    expect(doc, doc.output_message).toMatchObject({ is_success: true, output_message: `Email with message ID ${original.id} was forwarded successfully.` });
    const got = await find(BOB, 'inbox', 'FW: phish for the vendor');
    const atts = await h.client().get<{ value: Array<{ name: string }> }>(`/users/${BOB}/messages/${got.id}/attachments`, { query: { $select: 'name' } });
    expect(atts.value.map((a) => a.name).sort()).toEqual(['analyst-note.txt', 'evidence.txt']);
    await find(ALICE, 'inbox', 'FW: phish for the vendor');
  });

  it('a folder that is not there, a mail id that is not there', async () => {
    const folder = await invoke(h, forwardEmail, { 'Send From': SOC, 'Folder Name': 'Inbox/Nope', 'Mail ID': '<x@y>', Subject: 's', 'Send to': BOB, 'Mail content': 'x' });
    expect(folder).toMatchObject({ is_success: false, output_message: `Action failed to forward any emails because the provided mailbox folder name was not found in the mailbox(es): ${SOC}: Inbox/Nope` });
    const id = await invoke(h, forwardEmail, { 'Send From': SOC, 'Mail ID': '<x@y>', Subject: 's', 'Send to': BOB, 'Mail content': 'x' });
    expect(id).toMatchObject({ is_success: false, output_message: 'Error executing action "Forward Email" because the provided mail id <x@y> was not found.' });
  });
});
