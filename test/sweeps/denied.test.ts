/**
 * Mailboxes an Exchange application access policy keeps the app out of (emulator
 * `deniedMailboxes`): every sweep names them as failed with the reason and finishes every other
 * mailbox, also when the first batch of the run is all denied. The app's token holds the
 * permission the sweep needs, which is what tells a policy from a missing permission; without
 * it the run still stops after the first batch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { downloadAttachmentsFromEmail } from '../../src/actions/download-attachments-from-email.ts';
import { moveEmailToFolder } from '../../src/actions/move-email-to-folder.ts';
import { searchEmails } from '../../src/actions/search-emails.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { mime } from '../content/helpers.ts';
import { DOMAIN, invokeAll, mailHarness, type MailHarness } from '../mail/helpers.ts';
import { jsonOf } from '../helpers/results.ts';
import type { SweepSummary } from '../../src/sweep/report.ts';

const BATCH = 'How many mailboxes to process in a single batch';
const PHISH_ID = '<denied-sweep-phish@evil.example>';
const PHISH_SUBJECT = 'Your parcel is waiting';
const POLICY = '[RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.';
const users = Array.from({ length: 7 }, (_, i) => `den${i}@${DOMAIN}`);
// With 2 mailboxes a batch: the first batch is all denied, one in the middle, and the last batch too.
const DENIED = [users[0], users[1], users[3], users[6]];
const ALLOWED = users.filter((u) => !DENIED.includes(u));

let h: MailHarness;
let dir: string;
beforeAll(async () => {
  h = await mailHarness({ seed: 'empty' });
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.reset('empty');
  await h.admin('PUT', '/settings', { throttle: false, deniedMailboxes: [], permissions: ['Mail.Read', 'Mail.ReadWrite', 'User.Read.All'] });
  for (const u of users) {
    await h.admin('POST', '/users', { userPrincipalName: u, displayName: u });
    await h.deliver(u, 'Inbox', mime({
      to: u, from: 'Parcel <x@evil.example>', subject: PHISH_SUBJECT, messageId: PHISH_ID,
      parts: [{ name: 'label.txt', contentType: 'text/plain', content: `label for ${u}` }],
    }));
  }
  await h.admin('PUT', '/settings', { deniedMailboxes: DENIED });
  await h.admin('DELETE', '/requests');
  dir = await mkdtemp(path.join(tmpdir(), 'denied-sweep-'));
  return () => rm(dir, { recursive: true, force: true });
});

/** Where the phish sits now, per mailbox (admin API, outside any policy). */
async function phishFolders(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const g = h.client();
  await h.admin('PUT', '/settings', { deniedMailboxes: [] });
  for (const u of users) {
    const found = await g.get<{ value: Array<{ parentFolderId: string }> }>(`/users/${u}/messages`, {
      query: { $filter: `internetMessageId eq '${PHISH_ID}'`, $select: 'parentFolderId' },
    });
    const [msg] = found.value;
    out[u] = msg ? (await g.get<{ displayName: string }>(`/users/${u}/mailFolders/${msg.parentFolderId}`)).displayName : 'gone';
  }
  await h.admin('PUT', '/settings', { deniedMailboxes: DENIED });
  return out;
}

function expectDeniedNamed(docs: ResultDocument[], verb: string, role: string): void {
  expect(docs.map((d) => d.execution_state)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
  const last = docs.at(-1)!;
  expect(last.is_success).toBe(true);
  // One cause, one line: the denied mailboxes named together, the reason told once.
  const prefix = `Failed to ${verb} in the following mailboxes: `;
  const lines = last.output_message.split('\n').filter((l) => l.startsWith(prefix));
  expect(lines, last.output_message).toHaveLength(1);
  const [line] = lines;
  expect(line).toContain(
    `${prefix}${DENIED.join(', ')} (${DENIED.length} mailboxes; for ${DENIED[0]}: The app holds the ${role} application permission, yet Exchange refused this mailbox: an application access policy`,
  );
  expect(line).toContain(POLICY);
  for (const u of ALLOWED) expect(line).not.toContain(u);
  expect(last.output_message).not.toContain('Not processed because of the error above');
}

function expectFailedMailboxes(json: SweepSummary, role: string): void {
  expect(json.failed_mailboxes.map((f) => [f.mailbox, f.code])).toEqual(DENIED.map((u) => [u, 'ErrorAccessDenied']));
  for (const f of json.failed_mailboxes) {
    expect(f.reason).toContain(`holds the ${role} application permission`);
    expect(f.reason).toContain(POLICY);
  }
  expect(json.skipped_mailboxes).toBeUndefined();
}

describe('sweeps over mailboxes an application access policy denies (first, middle and last)', () => {
  it('Delete Email deletes in every allowed mailbox and names the denied ones', async () => {
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID, [BATCH]: '2' });
    expectDeniedNamed(docs, 'delete emails', 'Mail.ReadWrite');
    const last = docs.at(-1)!;
    expect(last.output_message.split('\n')[0]).toBe(`Successfully deleted emails in the following mailboxes: ${ALLOWED.map((u) => `${u}: 1`).join(', ')}`);
    const json = jsonOf(last);
    expect(json.deleted_total).toBe(ALLOWED.length);
    expectFailedMailboxes(json, 'Mail.ReadWrite');
    const where = await phishFolders();
    for (const u of ALLOWED) expect(where[u], u).toBe('Deleted Items');
    for (const u of DENIED) expect(where[u], u).toBe('Inbox');
  });

  it('Move Email To Folder moves in every allowed mailbox and names the denied ones', async () => {
    const docs = await invokeAll(h, moveEmailToFolder, {
      'Move In Mailbox': users.join(','), 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Junk Email', 'Mail IDs': PHISH_ID, [BATCH]: '2',
    });
    expectDeniedNamed(docs, 'move emails', 'Mail.ReadWrite');
    const json = jsonOf(docs.at(-1)!);
    expect(json.moved_total).toBe(ALLOWED.length);
    expect(json.mailboxes.map((m) => m.mailbox)).toEqual(ALLOWED);
    expectFailedMailboxes(json, 'Mail.ReadWrite');
    const where = await phishFolders();
    for (const u of ALLOWED) expect(where[u], u).toBe('Junk Email');
    for (const u of DENIED) expect(where[u], u).toBe('Inbox');
  });

  it('Search Emails finds in every allowed mailbox and names the denied ones', async () => {
    const docs = await invokeAll(h, searchEmails, { 'Search In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Subject Filter': 'parcel', [BATCH]: '2' });
    expectDeniedNamed(docs, 'search emails', 'Mail.Read');
    const json = jsonOf(docs.at(-1)!);
    expect(json.found_total).toBe(ALLOWED.length);
    expect(json.mailboxes.map((m) => [m.mailbox, m.emails.length])).toEqual(ALLOWED.map((u) => [u, 1]));
    expectFailedMailboxes(json, 'Mail.Read');
  });

  it('Download Attachments From Email downloads from every allowed mailbox and names the denied ones', async () => {
    const docs = await invokeAll(h, downloadAttachmentsFromEmail, {
      'Search In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID,
      'Download Destination': 'Local File System', 'Download Path': path.join(dir, 'out'), 'Download Attachments to unique path?': 'true', [BATCH]: '2',
    });
    expectDeniedNamed(docs, 'download attachments', 'Mail.Read');
    const rows = jsonOf(docs.at(-1)!);
    expect(rows.map((r) => [r.mailbox, r.attachment_name])).toEqual(ALLOWED.map((u) => [u, 'label.txt']));
  });

  it('a truly missing permission still stops the run after its first batch', async () => {
    await h.admin('PUT', '/settings', { permissions: ['Mail.Read', 'User.Read.All'] });
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': PHISH_ID, [BATCH]: '2' });
    expect(docs.map((d) => d.execution_state)).toEqual(['FAILED']);
    const json = jsonOf(docs[0]);
    expect(json.failed_mailboxes.map((f) => f.mailbox)).toEqual(users.slice(0, 2));
    expect(json.failed_mailboxes[0].reason).not.toContain('holds the');
    expect(json.skipped_mailboxes).toEqual(users.slice(2));
  });
});
