/** Mark Email as Junk / Not Junk end to end: runAction -> Graph client -> emulator. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { GraphError, type GraphClient } from '../../src/graph/index.ts';
import { markEmailAsJunk as junk } from '../../src/actions/mark-email-as-junk.ts';
import { markEmailAsNotJunk as notJunk } from '../../src/actions/mark-email-as-not-junk.ts';
import { junkHarness, rawMail, u, type JunkHarness } from './helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';
import type { Page } from '../../src/graph/paging.ts';
import type { SelectedMessage } from '../../src/mail/shapes.ts';

const ALICE = 'alice.martin@contoso.example';
const BOB = 'bob.keller@contoso.example'; // German folder names
const CAROL = 'carol.diaz@contoso.example';
const SOC = 'soc@contoso.example'; // the Default Mailbox
const DAVE = 'dave.nomail@contoso.example'; // a user without a mailbox
const GHOST = 'ghost@contoso.example';
const PHISHER = 'it-support@login-microsoft-verify.example';

let h: JunkHarness;
beforeAll(async () => {
  h = await junkHarness();
});
afterAll(() => h.close());
beforeEach(() => h.reset());

async function idsIn(mailbox: string, folder: string, internetMessageId: string): Promise<string[]> {
  const filter = `internetMessageId eq '${internetMessageId}'`;
  const r = await h.graph<Page<SelectedMessage<'id'>>>(`/v1.0/users/${u(mailbox)}/mailFolders/${folder}/messages?$filter=${u(filter)}&$select=id`);
  expect(r.status).toBe(200);
  return (r.body.value ?? []).map((m) => m.id);
}

describe('Mark Email as Junk', () => {
  it('finds an internetMessageId in several mailboxes (one missing), blocks the sender and moves each to Junk Email', async () => {
    const bare = PHISH_MESSAGE_ID.slice(1, -1); // without <>: accepted too
    const doc = await h.run(junk, { 'Search In Mailbox': `${ALICE}, ${BOB},${GHOST}`, 'Mail IDs': bare });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe(['Successfully marked the email as junk.', `Mailbox ${GHOST} was not found.`].join('\n'));
    for (const box of [ALICE, BOB]) {
      expect(await h.blocked(box)).toEqual([PHISHER]);
      expect(await idsIn(box, 'inbox', PHISH_MESSAGE_ID)).toEqual([]);
      const inJunk = await idsIn(box, 'junkemail', PHISH_MESSAGE_ID);
      expect(inJunk).toHaveLength(1);
      const line = jsonOf(doc).find((r) => r.mailbox === box)!;
      expect(line).toMatchObject({ mail_id: bare, outcome: 'marked', new_id: inJunk[0], internet_message_id: PHISH_MESSAGE_ID });
      expect(line.id).not.toBe(line.new_id);
    }
    expect(doc.json_result).toContainEqual({ mailbox: GHOST, mail_id: bare, outcome: 'mailbox_not_found' });
    // Carol was not asked about: untouched.
    expect(await h.blocked(CAROL)).toEqual([]);
    expect(await idsIn(CAROL, 'inbox', PHISH_MESSAGE_ID)).toHaveLength(1);
  });

  it('falls back to the Default Mailbox, takes Graph ids, and names the ids it could not find', async () => {
    const [phishId] = await idsIn(SOC, 'inbox', PHISH_MESSAGE_ID);
    const missingId = 'AAMkAGI2TG93AAA=';
    const doc = await h.run(junk, { 'Mail IDs': `${phishId}, ${missingId}, <nothing@nowhere.example>` });
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe([
      'Successfully marked the email as junk.',
      `Failed to find email with ID ${missingId}, <nothing@nowhere.example> in ${SOC}.`,
    ].join('\n'));
    expect(await h.blocked(SOC)).toEqual([PHISHER]);
    expect(doc.json_result).toEqual([
      expect.objectContaining({ mailbox: SOC, mail_id: phishId, outcome: 'marked', id: phishId }),
      { mailbox: SOC, mail_id: missingId, outcome: 'not_found' },
      { mailbox: SOC, mail_id: '<nothing@nowhere.example>', outcome: 'not_found' },
    ]);
    // "Default Mailbox" spelled out means the same.
    const again = await h.run(junk, { 'Search In Mailbox': 'Default Mailbox', 'Mail IDs': missingId });
    expect(again.output_message).toBe(`Failed to find any emails based on provided parameters!\nFailed to find email with ID ${missingId} in ${SOC}.`);
  });

  it('reads "Default Mailbox" inside a list as the Default Mailbox, and a repeated mailbox once', async () => {
    const doc = await h.run(junk, { 'Search In Mailbox': `Default Mailbox, ${ALICE}, ${ALICE.toUpperCase()}`, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc.output_message).toBe('Successfully marked the email as junk.');
    expect(jsonOf(doc).map((r) => [r.mailbox, r.outcome])).toEqual([[SOC, 'marked'], [ALICE, 'marked']]);
    for (const box of [SOC, ALICE]) expect(await idsIn(box, 'junkemail', PHISH_MESSAGE_ID)).toHaveLength(1);
  });

  it('does not take a Graph id found in another folder than Folder Name', async () => {
    const [phishId] = await idsIn(ALICE, 'inbox', PHISH_MESSAGE_ID);
    const doc = await h.run(junk, { 'Search In Mailbox': ALICE, 'Folder Name': 'Deleted Items', 'Mail IDs': phishId });
    expect(doc).toMatchObject({ is_success: false, output_message: `Failed to find any emails based on provided parameters!\nFailed to find email with ID ${phishId} in ${ALICE}.` });
    expect(await idsIn(ALICE, 'inbox', PHISH_MESSAGE_ID)).toEqual([phishId]);
  });

  it('marks one message once when both its Graph id and its internetMessageId are given', async () => {
    const [id] = await idsIn(CAROL, 'inbox', PHISH_MESSAGE_ID);
    await h.admin('DELETE', '/requests');
    const doc = await h.run(junk, { 'Search In Mailbox': CAROL, 'Mail IDs': `${id},${PHISH_MESSAGE_ID}` });
    expect(doc.output_message).toBe('Successfully marked the email as junk.');
    const rows = jsonOf(doc);
    expect(rows.map((r) => r.outcome)).toEqual(['marked', 'marked']);
    expect(rows[0].new_id).toBe(rows[1].new_id);
    const log = await h.admin<RequestLogSnapshot>('GET', '/requests');
    expect(log.entries.filter((e) => e.path.endsWith('/markAsJunk'))).toHaveLength(1);
  });

  it('searches nested folders by display name, case-insensitively, and only there', async () => {
    const mail = rawMail({ from: 'Deals <promo@deals.example>', to: SOC, subject: 'Deal', messageId: '<nested-1@deals.example>' });
    await h.deliver(SOC, mail, 'Inbox/Phishing/2024');
    const wrong = await h.run(junk, { 'Folder Name': 'Inbox', 'Mail IDs': '<nested-1@deals.example>' });
    expect(wrong).toMatchObject({ is_success: false, output_message: `Failed to find any emails based on provided parameters!\nFailed to find email with ID <nested-1@deals.example> in ${SOC}.` });
    const doc = await h.run(junk, { 'Folder Name': 'inbox/PHISHING/2024', 'Mail IDs': '<nested-1@deals.example>' });
    expect(doc.output_message).toBe('Successfully marked the email as junk.');
    expect(await h.blocked(SOC)).toEqual(['promo@deals.example']);
    expect(await idsIn(SOC, 'junkemail', '<nested-1@deals.example>')).toHaveLength(1);
  });

  it('fails before changing anything when the folder is missing in a mailbox', async () => {
    await h.admin('POST', `/users/${u(ALICE)}/folders`, { path: 'Inbox/Suspicious' });
    const doc = await h.run(junk, { 'Search In Mailbox': `${ALICE},${CAROL},${GHOST}`, 'Folder Name': 'Inbox/Suspicious', 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe([
      `Action failed to run because the provided mailbox folder name Inbox/Suspicious was not found in the mailbox ${CAROL}.`,
      `Mailbox ${GHOST} was not found.`,
    ].join('\n'));
    expect(doc.json_result).toEqual([{ mailbox: CAROL, mail_id: PHISH_MESSAGE_ID, outcome: 'folder_not_found' }]);
    const log = await h.admin<RequestLogSnapshot>('GET', '/requests');
    expect(log.entries.filter((e) => e.method === 'POST' && e.path.endsWith('/markAsJunk'))).toEqual([]);
    expect(await h.blocked(ALICE)).toEqual([]);
  });

  it('fails when none of the mailboxes exists (a user without a mailbox counts as missing)', async () => {
    const doc = await h.run(junk, { 'Search In Mailbox': `${GHOST},${DAVE}`, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe(`Error executing action "Mark Email as Junk". Reason: Failed to find any of the provided mailboxes: ${GHOST}, ${DAVE}.`);
  });

  it('reports a Graph refusal with the documented error message', async () => {
    await h.admin('PUT', '/settings', { permissions: ['Mail.Read', 'User.Read.All'] });
    const doc = await h.run(junk, { 'Search In Mailbox': ALICE, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message.startsWith(`Error executing action "Mark Email as Junk". Reason: could not mark ${PHISH_MESSAGE_ID} in ${ALICE}: `)).toBe(true);
    expect(doc.output_message).toContain('403 ErrorAccessDenied');
    expect(doc.output_message).toContain('Access is denied. Check credentials and try again.');
    expect(doc.json_result).toEqual([expect.objectContaining({ mailbox: ALICE, outcome: 'failed', reason: expect.stringContaining('ErrorAccessDenied') })]);
    expect(await h.blocked(ALICE)).toEqual([]);
  });

  it('reports a mailbox whose marking failed after retries, and still completes the others', async () => {
    // The client gives up on one mailbox's markAsJunk as it would after a 503 (POST is never re-sent).
    const failBob = (g: GraphClient): GraphClient => {
      const batch = g.batch.bind(g);
      g.batch = (async (items, opts) => {
        const doomed = items.map((i) => i.method === 'POST' && i.url.includes(BOB));
        const sent = await batch(items.filter((_, k) => !doomed[k]), opts);
        let next = 0;
        return items.map((item, k) =>
          doomed[k]
            ? { id: String(k), status: 503, error: new GraphError({ status: 503, code: 'ServiceUnavailable', message: 'Service is temporarily unavailable.' }) }
            : sent[next++],
        );
      }) as GraphClient['batch'];
      return g;
    };
    const doc = await h.run(junk, { 'Search In Mailbox': `${ALICE},${BOB}`, 'Mail IDs': PHISH_MESSAGE_ID }, failBob);
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(doc.output_message).toBe([
      'Successfully marked the email as junk.',
      `Error executing action "Mark Email as Junk". Reason: could not mark ${PHISH_MESSAGE_ID} in ${BOB}: Service is temporarily unavailable.`,
    ].join('\n'));
    expect(jsonOf(doc).map((r) => [r.mailbox, r.outcome])).toEqual([[ALICE, 'marked'], [BOB, 'failed']]);
    expect(await h.blocked(ALICE)).toEqual([PHISHER]);
    expect(await idsIn(BOB, 'inbox', PHISH_MESSAGE_ID)).toHaveLength(1);
  });

  it('names the parameter when Mail IDs holds no id', async () => {
    const doc = await h.run(junk, { 'Mail IDs': ' , ,' });
    expect(doc.output_message).toBe(
      'Error executing action "Mark Email as Junk". Reason: Parameter "Mail IDs" holds no mail id (give Graph ids or internetMessageIds, comma-separated).',
    );
    const none = await h.run(junk, {});
    expect(none.output_message).toBe('Error executing action "Mark Email as Junk". Reason: Missing required parameter "Mail IDs".');
  });

  it('uses the beta API through $batch: one round trip for the ids of several mailboxes', async () => {
    await h.admin('DELETE', '/requests');
    const doc = await h.run(junk, { 'Search In Mailbox': `${ALICE},${BOB},${CAROL},${SOC}`, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc.is_success).toBe(true);
    const log = await h.admin<RequestLogSnapshot>('GET', '/requests');
    const marks = log.entries.filter((e) => e.path.endsWith('/markAsJunk'));
    expect(marks).toHaveLength(4);
    expect(marks.every((e) => e.path.startsWith('/beta/users/') && e.status === 202)).toBe(true);
    expect(log.entries.filter((e) => e.path === '/beta/$batch')).toHaveLength(1);
  });

  it('survives a throttling storm: every match marked exactly once', async () => {
    await h.admin('PUT', '/settings', { faultRate: 0.6, faultStatuses: [429] });
    const boxes = [ALICE, BOB, CAROL, SOC];
    const doc = await h.run(junk, { 'Search In Mailbox': boxes.join(','), 'Mail IDs': PHISH_MESSAGE_ID });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    expect(doc.output_message).toBe('Successfully marked the email as junk.');
    const log = await h.admin<RequestLogSnapshot>('GET', '/requests');
    expect(log.byStatus['429']).toBeGreaterThan(0);
    expect(log.entries.filter((e) => e.path.endsWith('/markAsJunk') && e.status === 202)).toHaveLength(4);
    for (const box of boxes) {
      expect(await idsIn(box, 'junkemail', PHISH_MESSAGE_ID)).toHaveLength(1);
      expect(await h.blocked(box)).toEqual([PHISHER]);
    }
  });
});

describe('Mark Email as Not Junk', () => {
  it('with an empty Folder Name looks in Junk Email, unblocks the sender and moves the message to Inbox', async () => {
    await h.run(junk, { 'Search In Mailbox': `${ALICE},${BOB}`, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(await h.blocked(ALICE)).toEqual([PHISHER]);
    const doc = await h.run(notJunk, { 'Search In Mailbox': `${ALICE},${BOB}`, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: true, output_message: 'Successfully marked the email as not junk.' });
    for (const box of [ALICE, BOB]) {
      expect(await h.blocked(box)).toEqual([]);
      expect(await idsIn(box, 'junkemail', PHISH_MESSAGE_ID)).toEqual([]);
      const [back] = await idsIn(box, 'inbox', PHISH_MESSAGE_ID);
      expect(jsonOf(doc).find((r) => r.mailbox === box)).toMatchObject({ outcome: 'marked', new_id: back });
    }
  });

  it('takes the new id from the Junk result and a named folder (Bob: Junk-E-Mail by its well-known name)', async () => {
    const first = await h.run(junk, { 'Search In Mailbox': BOB, 'Mail IDs': PHISH_MESSAGE_ID });
    const newId = jsonOf(first)[0].new_id as string;
    const doc = await h.run(notJunk, { 'Search In Mailbox': BOB, 'Folder Name': 'junkemail', 'Mail IDs': newId });
    expect(doc.output_message).toBe('Successfully marked the email as not junk.');
    expect(await idsIn(BOB, 'inbox', PHISH_MESSAGE_ID)).toHaveLength(1);
  });

  it('does not find a message outside the folder searched', async () => {
    const doc = await h.run(notJunk, { 'Search In Mailbox': ALICE, 'Mail IDs': PHISH_MESSAGE_ID });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe(`Failed to find any emails based on provided parameters!\nFailed to find email with ID ${PHISH_MESSAGE_ID} in ${ALICE}.`);
    const folder = await h.run(notJunk, { 'Search In Mailbox': ALICE, 'Folder Name': 'Junk Email/Old', 'Mail IDs': PHISH_MESSAGE_ID });
    expect(folder.output_message).toBe(`Action failed to run because the provided mailbox folder name Junk Email/Old was not found in the mailbox ${ALICE}.`);
  });
});
