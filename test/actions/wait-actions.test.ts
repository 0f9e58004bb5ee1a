/**
 * Wait For Vote Email Results and Wait For Email From User against the emulator: a real question
 * sent by Send Vote Email / Send Email, real answers threaded by the emulator's mail flow (and raw
 * deliveries where a client other than Graph answers), read poll by poll with the saved state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendEmail } from '../../src/actions/send-email.ts';
import { sendVoteEmail } from '../../src/actions/send-vote-email.ts';
import { waitForEmailFromUser } from '../../src/actions/wait-for-email-from-user.ts';
import { waitForVoteEmailResults } from '../../src/actions/wait-for-vote-email-results.ts';
import { VERB_RESPONSE_PROPERTY_ID } from '../../src/mail/compose/verb-stream.ts';
import { answerRefOf } from '../../src/mail/compose/vote.ts';
import { createGraphClient } from '../../src/graph/client.ts';
import { runAction } from '../../src/soar/runtime.ts';
import type { ActionDefinition, ActionMessages } from '../../src/soar/action.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { childThreadIndex } from '../../emulator/threading.ts';
import { jsonOf } from '../helpers/results.ts';
import { ALICE, BOB, CAROL, FAST_CLOCK, FAST_RETRY, SOC, configOf, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const SUBJECT = 'Purge the phish?';
interface Sent { id: string; internetMessageId: string; conversationId: string }

async function askVote(to: string, extra: Record<string, string> = {}): Promise<Sent> {
  const doc = await invoke(h, sendVoteEmail, { 'Send From': SOC, Subject: SUBJECT, 'Send to': to, 'Mail Content': 'Please vote on the purge.', 'Structure of voting options': 'Approve/Reject', 'Attachment Location': 'Local File System', ...extra });
  expect(doc.is_success, doc.output_message).toBe(true);
  return doc.json_result as Sent;
}

/** The recipient's copy of the question, as it landed in their Inbox. */
async function copyOf(mailbox: string, subject = SUBJECT): Promise<string> {
  const list = await h.client().get<{ value: Array<{ id: string; subject: string }> }>(`/users/${mailbox}/mailFolders/inbox/messages`, { query: { $select: 'id,subject', $top: 50 } });
  const hit = list.value.find((m) => m.subject === subject);
  if (!hit) throw new Error(`no copy of "${subject}" in ${mailbox}`);
  return hit.id;
}

/** A reply made as Outlook makes one (createReply, then the draft edited, then sent). */
async function answer(mailbox: string, o: { text?: string; subject?: string; button?: string; html?: boolean; attachment?: { name: string; bytes: string }; of?: string } = {}): Promise<void> {
  const g = h.client();
  const copy = await copyOf(mailbox, o.of);
  const draft = await g.post<{ id: string; body: { content: string } }>(`/users/${mailbox}/messages/${copy}/createReply`);
  const patch: Record<string, unknown> = {};
  if (o.text !== undefined) patch.body = { contentType: o.html ? 'html' : 'text', content: o.text };
  if (o.subject !== undefined) patch.subject = o.subject;
  if (o.button) patch.singleValueExtendedProperties = [{ id: VERB_RESPONSE_PROPERTY_ID, value: o.button }];
  if (Object.keys(patch).length > 0) await g.patch(`/users/${mailbox}/messages/${draft.id}`, patch);
  if (o.attachment) await g.post(`/users/${mailbox}/messages/${draft.id}/attachments`, { '@odata.type': '#microsoft.graph.fileAttachment', name: o.attachment.name, contentBytes: Buffer.from(o.attachment.bytes).toString('base64') });
  await g.post(`/users/${mailbox}/messages/${draft.id}/send`);
}

/** A raw message in the SOC mailbox threaded to the question (a client outside Graph, or an auto-responder). */
async function deliverThreaded(sent: Sent, from: string, text: string, o: { subject?: string; folder?: string; headers?: string[] } = {}): Promise<void> {
  const raw = [
    `From: ${from}`,
    `To: ${SOC}`,
    `Subject: ${o.subject ?? `RE: ${SUBJECT}`}`,
    `In-Reply-To: ${sent.internetMessageId}`,
    `References: ${sent.internetMessageId}`,
    `Message-ID: <r${Math.random().toString(36).slice(2)}@answers.example>`,
    `Date: ${new Date(Date.now() + 1000).toUTCString()}`,
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
  await h.deliver(SOC, o.folder ?? 'Inbox', raw, { receivedDateTime: new Date(Date.now() + 1000).toISOString() });
}

/** What a mail client sends for an answer link of the question: a new message, subject and body from the link. */
async function answerByLink(sent: Sent, from: string, option: string, o: { ref?: string; messageId?: string; inReplyTo?: string; subject?: string; text?: string } = {}): Promise<void> {
  const question = await h.client().get<{ body: { content: string } }>(`/users/${SOC}/messages/${sent.id}`, { query: { $select: 'body' } });
  const ref = o.ref ?? answerRefOf(question.body.content);
  expect(ref).toMatch(/^[0-9a-f]{8}$/);
  const raw = [
    `From: ${from}`,
    `To: ${SOC}`,
    `Subject: ${o.subject ?? `${option}: ${SUBJECT}`}`,
    `Message-ID: ${o.messageId ?? `<link.${Math.random().toString(36).slice(2)}@contoso.example>`}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'Content-Type: text/plain',
    '',
    o.text ?? `${option}\r\n\r\n(ref ${ref})`,
    '',
  ].join('\r\n');
  await h.deliver(SOC, 'Inbox', raw, { receivedDateTime: new Date(Date.now() + 1000).toISOString() });
}

type Doc<J> = ResultDocument<J>;
const voteParams = (sent: Sent, extra: Record<string, string> = {}) => ({ 'Vote Mail Sent From': SOC, 'Mail ID': sent.id, ...extra });

/** One poll, continuing `prev` when given; `timeoutMs` starts the run with a deadline. */
function poll<M extends ActionMessages, J>(def: ActionDefinition<M, J>, params: Record<string, string>, prev?: Doc<J> | null, timeoutMs?: number): Promise<Doc<J>> {
  return runAction(def, { config: configOf(h), params, state: prev?.state ?? null, timeoutMs }, { createGraph: (o) => createGraphClient(o), graphOptions: { retry: FAST_RETRY, clock: FAST_CLOCK } });
}

/** The saved state with its deadline moved into the past: the next poll is the one after the deadline. */
function pastDeadline<J>(doc: Doc<J>): Doc<J> {
  return { ...doc, state: { ...(doc.state as object), deadline_at: Date.now() - 1 } };
}

describe('Wait For Vote Email Results', () => {
  it('reads Outlook’s voting response, a subject prefix and a first line, and waits for all', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}, ${CAROL}`);
    const first = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(first.execution_state, first.output_message).toBe('IN_PROGRESS');
    expect(first.output_message).toContain(`Waiting for a reply from: ${ALICE}, ${BOB}, ${CAROL}.`);

    await answer(ALICE, { text: 'Sent from Outlook', button: 'Approve' }); // the button only: subject "RE: ...", no option in the text
    await answer(BOB, { subject: `Reject: ${SUBJECT}`, text: '' });
    const partial = await poll(waitForVoteEmailResults, voteParams(sent), first);
    expect(partial.execution_state).toBe('IN_PROGRESS');
    expect(partial.output_message).toContain(`Waiting for a reply from: ${CAROL}.`);

    await answer(CAROL, { text: 'approve - go ahead\n\nCarol' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent), partial);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.is_success).toBe(true);
    expect(done.output_message.split('\n')).toEqual([
      `Found the user ${ALICE} reply: Approve.`,
      `Found the user ${BOB} reply: Reject.`,
      `Found the user ${CAROL} reply: Approve.`,
    ]);
    const json = jsonOf(done);
    expect(json.Responses.map((r) => [r.recipient, r.vote, r.read_from])).toEqual([
      [ALICE, 'Approve', 'voting button'],
      [BOB, 'Reject', 'subject'],
      [CAROL, 'Approve', 'first line'],
    ]);
    expect(json.options).toEqual(['Approve', 'Reject']);
    expect(json.options_from).toBe('voting buttons');
    const table = done.case_wall.tables.find((t) => t.title === 'Matching Mails')!;
    expect(table.columns).toEqual(['Mail ID', 'Received Date', 'Sender', 'Recipients', 'Subject']);
    expect(table.rows.map((r) => r[2]).sort()).toEqual([ALICE, BOB, CAROL].sort());
    expect(done.state).toBeNull();
  });

  it('does not count a reply that quotes all the options, nor an out-of-office before the real answer', async () => {
    const sent = await askVote(ALICE);
    // Only the header says it is automatic (Exchange's own OOF also says so in its subject).
    await deliverThreaded(sent, ALICE, 'I am out of the office until Monday.', { headers: ['Auto-Submitted: auto-replied'] });
    await answer(ALICE, { html: true, text: '<p>Which one do you mean?</p><hr><p><b>From:</b> SOC</p><blockquote><p>Reply with <b>Approve</b> or <b>Reject</b> as the first word of your answer.</p></blockquote>' });
    const waiting = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(waiting.execution_state, waiting.output_message).toBe('IN_PROGRESS');
    const json = jsonOf(waiting);
    expect(json.Responses).toEqual([]);
    // The out-of-office is not even a reply; the question back is a reply without a vote.
    expect(json.not_counted.map((n) => [n.recipient, n.reason])).toEqual([[ALICE, 'no vote: no voting button or answer link, and its first written line does not start with one of Approve, Reject alone']]);

    await answer(ALICE, { text: 'Reject\n\n> Reply with Approve or Reject as the first word.' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent), waiting);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.output_message).toBe(`Found the user ${ALICE} reply: Reject.`);
  });

  it('hears an answer link (a new message titled "Option: question"), not a reply to a later question in the thread', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}`);
    // Bob's mail client followed the mailto: link: no threading headers, a new conversation, the
    // link's body (the option and the question's reference) as it was.
    await answerByLink(sent, BOB, 'Approve');
    // Alice answers a follow-up question the SOC sent in the same thread: not a vote on this one.
    await deliverThreaded(sent, ALICE, 'Reject', { headers: [] });
    await h.deliver(
      SOC,
      'Inbox',
      [`From: ${ALICE}`, `To: ${SOC}`, `Subject: RE: ${SUBJECT}`, '<followup.1@contoso.example>'.replace(/^/, 'In-Reply-To: '), `References: ${sent.internetMessageId} <followup.1@contoso.example>`, 'Message-ID: <alice.followup@contoso.example>', 'Content-Type: text/plain', '', 'Approve', ''].join('\r\n'),
      { receivedDateTime: new Date(Date.now() + 2000).toISOString() },
    );
    const doc = await poll(waitForVoteEmailResults, voteParams(sent));
    const json = jsonOf(doc);
    expect(json.Responses.map((r) => [r.recipient, r.vote, r.read_from])).toEqual([
      [ALICE, 'Reject', 'first line'],
      [BOB, 'Approve', 'subject'],
    ]);
    expect(json.Responses[0].earlier_votes).toEqual([]);
  });

  it('an answer link answers its own question only, and a reply correcting it wins', async () => {
    const first = await askVote(ALICE);
    const second = await askVote(ALICE); // the same subject: another case of the same playbook
    await answerByLink(second, ALICE, 'Approve', { messageId: '<link.second@contoso.example>' });
    const one = await poll(waitForVoteEmailResults, voteParams(first));
    expect(one.execution_state).toBe('IN_PROGRESS');
    const two = await poll(waitForVoteEmailResults, voteParams(second));
    expect(two.execution_state, two.output_message).toBe('COMPLETED');
    // "Reject, wrong button": a reply to her own answer-link message, threaded to it only.
    await new Promise((r) => setTimeout(r, 1100));
    await answerByLink(second, ALICE, 'Reject', { subject: `RE: Approve: ${SUBJECT}`, inReplyTo: '<link.second@contoso.example>', text: 'Reject - wrong button, sorry' });
    const corrected = await poll(waitForVoteEmailResults, voteParams(second));
    const [r] = jsonOf(corrected).Responses;
    expect([r.vote, r.read_from, r.earlier_votes.map((e) => e.vote)]).toEqual(['Reject', 'first line', ['Approve']]);
  });

  it('one answer in two checked folders (an inbox rule copied it) is one answer', async () => {
    const sent = await askVote(ALICE);
    const raw = [`From: ${ALICE}`, `To: ${SOC}`, `Subject: RE: ${SUBJECT}`, `In-Reply-To: ${sent.internetMessageId}`, 'Message-ID: <twice@contoso.example>', 'Content-Type: text/plain', '', 'Approve', ''].join('\r\n');
    await h.deliver(SOC, 'Inbox', raw);
    await h.deliver(SOC, 'Junk Email', raw);
    const doc = await poll(waitForVoteEmailResults, voteParams(sent, { 'Folder to Check for Reply': 'Inbox, Junk Email' }));
    expect(jsonOf(doc).Responses[0].earlier_votes).toEqual([]);
    expect(doc.case_wall.tables[0].rows).toHaveLength(1);
  });

  it('hears a reply threaded only by Outlook’s Thread-Index (same conversation), not an unrelated email of the same subject', async () => {
    const sent = await askVote(ALICE);
    const question = await h.client().get<{ conversationIndex: string }>(`/users/${SOC}/messages/${sent.id}`, { query: { $select: 'conversationIndex' } });
    const unthreaded = (text: string, threadIndex?: string) =>
      [`From: ${ALICE}`, `To: ${SOC}`, `Subject: RE: ${SUBJECT}`, ...(threadIndex ? [`Thread-Index: ${threadIndex}`] : []), `Message-ID: <ti.${Math.random().toString(36).slice(2)}@contoso.example>`, 'Content-Type: text/plain', '', text, ''].join('\r\n');
    await h.deliver(SOC, 'Inbox', unthreaded('Reject'), { receivedDateTime: new Date(Date.now() + 1000).toISOString() }); // same subject, no tie
    const before = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(before.execution_state).toBe('IN_PROGRESS');
    await h.deliver(SOC, 'Inbox', unthreaded('Approve', childThreadIndex(question.conversationIndex, Date.now())), { receivedDateTime: new Date(Date.now() + 2000).toISOString() });
    const done = await poll(waitForVoteEmailResults, voteParams(sent), before);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.output_message).toBe(`Found the user ${ALICE} reply: Approve.`);
  });

  it('ignores a forwarded copy answered by someone who was not asked, and CC recipients', async () => {
    const sent = await askVote(ALICE, { CC: BOB });
    await deliverThreaded(sent, CAROL, 'Approve', { subject: `RE: FW: ${SUBJECT}` }); // Alice forwarded it to Carol
    await answer(BOB, { text: 'Approve' });
    const doc = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(doc.execution_state).toBe('IN_PROGRESS');
    const json = jsonOf(doc);
    expect(json.recipients).toEqual([ALICE]);
    expect(json.copied_recipients).toEqual([BOB]);
    expect(json.Responses).toEqual([]);
    expect(json.waiting_for).toEqual([ALICE]);
  });

  it('counts the last of two answers of one recipient and says so', async () => {
    const sent = await askVote(ALICE);
    await answer(ALICE, { text: 'Approve' });
    await new Promise((r) => setTimeout(r, 1100)); // the second answer arrives later
    await answer(ALICE, { text: 'Reject. Sorry, finance says the invoice is real.' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    const [r] = jsonOf(done).Responses;
    expect(r.vote).toBe('Reject');
    expect(r.earlier_votes.map((e) => e.vote)).toEqual(['Approve']);
    expect(done.case_wall.tables[0].rows).toHaveLength(2);
  });

  it('hears a recipient outside the tenant, and a reply filed in Junk when Junk is checked', async () => {
    const partner = 'partner@fabrikam.example';
    const sent = await askVote(`${partner}, ${ALICE}`);
    expect((await h.admin<{ messages: Array<{ to: string[] }> }>('GET', '/outbound')).messages.some((m) => m.to.includes(partner))).toBe(true);
    await deliverThreaded(sent, partner, 'Approve\n\nFrom: SOC Mailbox\nPlease vote on the purge.');
    await deliverThreaded(sent, ALICE, 'Reject', { folder: 'Junk Email' });
    const inboxOnly = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(inboxOnly.execution_state).toBe('IN_PROGRESS');
    expect(jsonOf(inboxOnly).waiting_for).toEqual([ALICE]);
    const withJunk = await poll(waitForVoteEmailResults, voteParams(sent, { 'Folder to Check for Reply': 'Inbox,Junk Email' }));
    expect(withJunk.execution_state, withJunk.output_message).toBe('COMPLETED');
    expect(jsonOf(withJunk).Responses.map((r) => [r.recipient, r.vote, r.folder])).toEqual([
      [partner, 'Approve', 'Inbox'],
      [ALICE, 'Reject', 'Junk Email'],
    ]);
  });

  it('hears a recipient answering from an alias, and one asked at an alias answering from her mailbox', async () => {
    const DANA = 'dana.lee@contoso.example';
    const ALIAS = 'soc-lead@contoso.example';
    const sent = await askVote(`${DANA}, ${ALIAS}, ${BOB}`);
    await deliverThreaded(sent, ALIAS, 'Approve');
    await answer(BOB, { text: 'Reject' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    const json = jsonOf(done);
    // Two addresses of Dana's mailbox are one recipient; her alias's answer is hers.
    expect(json.recipients).toEqual([DANA, BOB]);
    expect(json.Responses.map((r) => [r.recipient, r.vote, r.from])).toEqual([
      [DANA, 'Approve', ALIAS],
      [BOB, 'Reject', BOB],
    ]);

    // Without User.Read.All the directory cannot be read: the addresses as written, and the message says so.
    const other = await askVote(ALIAS, { Subject: 'Another question' });
    await h.admin('PUT', '/settings', { permissions: DEFAULT_PERMISSIONS.filter((p) => !/^(User|Directory)\./.test(p)) });
    await deliverThreaded(other, DANA, 'Approve', { subject: 'RE: Another question' });
    const blind = await poll(waitForVoteEmailResults, voteParams(other)).finally(() => h.admin('PUT', '/settings', { permissions: DEFAULT_PERMISSIONS }));
    expect(blind.execution_state).toBe('IN_PROGRESS');
    expect(blind.output_message).toContain('The directory could not be read (User.Read.All) for every recipient: those replies were matched by the exact recipient address, not its aliases.');
  });

  it('continues each folder where the last poll stopped (delta), keeping the answers heard before', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}`);
    await answer(ALICE, { text: 'Approve' });
    const first = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(first.execution_state).toBe('IN_PROGRESS');
    const scan = (first.state as { data: { scan: { deltaLinks: Record<string, string>; replies: unknown[] } } }).data.scan;
    expect(scan.replies).toHaveLength(1);
    expect(Object.keys(scan.deltaLinks)).toEqual(['Inbox']);
    // Alice's answer is deleted afterwards: it was heard, it still counts.
    const g = h.client();
    const inSoc = await g.get<{ value: Array<{ id: string; from: { emailAddress: { address: string } } }> }>(`/users/${SOC}/mailFolders/inbox/messages`, { query: { $select: 'id,from' } });
    await g.delete(`/users/${SOC}/messages/${inSoc.value.find((m) => m.from.emailAddress.address === ALICE)!.id}`);
    await h.admin('DELETE', '/requests');
    await answer(BOB, { text: 'Reject' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent), first);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.output_message).toBe(`Found the user ${ALICE} reply: Approve.\nFound the user ${BOB} reply: Reject.`);
    // The second poll read the Inbox from its deltaLink: no folder lookup, no full list again.
    const log = await h.admin<{ entries: Array<{ method: string; path: string; mailbox: string }> }>('GET', '/requests');
    const socReads = log.entries.filter((e) => e.mailbox === SOC && e.method === 'GET' && /mailFolders/i.test(e.path));
    expect(socReads.map((e) => e.path.replace(/mailFolders\/[^/]+/i, 'mailFolders/X'))).toEqual([`/v1.0/users/${encodeURIComponent(SOC)}/mailFolders/X/messages/delta`]);
  });

  it('hears a reply moved into a checked folder at the next poll, and starts over when the deltaLink is gone', async () => {
    const sent = await askVote(ALICE);
    await deliverThreaded(sent, ALICE, 'Approve', { folder: 'Junk Email' });
    const first = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(first.execution_state).toBe('IN_PROGRESS');
    // Alice's answer, filtered as junk, is moved to the Inbox by hand: it keeps its received time.
    const g = h.client();
    const junk = await g.get<{ value: Array<{ id: string }> }>(`/users/${SOC}/mailFolders/junkemail/messages`, { query: { $select: 'id' } });
    await g.post(`/users/${SOC}/messages/${junk.value[0].id}/move`, { destinationId: 'inbox' });
    const heard = await poll(waitForVoteEmailResults, voteParams(sent), first);
    expect(heard.execution_state, heard.output_message).toBe('COMPLETED');
    // A deltaLink Exchange no longer knows (410) starts a new round: nothing is lost.
    const stale = { ...first, state: { ...(first.state as { data: object }), data: { ...(first.state as { data: { scan: object } }).data, scan: { replies: [], deltaLinks: { Inbox: `${h.emu.info.graphEndpoint}/v1.0/users/${SOC}/mailFolders/inbox/messages/delta?$deltatoken=stale` } } } } };
    const again = await poll(waitForVoteEmailResults, voteParams(sent), stale);
    expect(again.execution_state, again.output_message).toBe('COMPLETED');
    // A checked folder gone during the wait (its deltaLink answers 404) is looked up again and named, not fatal.
    const other = await askVote(BOB, { Subject: 'Third question' });
    const params = voteParams(other, { 'Folder to Check for Reply': 'Inbox, Votes' });
    const base = await poll(waitForVoteEmailResults, params);
    const data = (base.state as { data: { scan: { replies: unknown[]; deltaLinks: Record<string, string> } } }).data;
    const missingFolderLink = `${h.emu.info.graphEndpoint}/v1.0/users/${SOC}/mailFolders/AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEMAAA=/messages/delta?$deltatoken=x`;
    const vanished = { ...base, state: { ...(base.state as object), data: { ...data, scan: { ...data.scan, deltaLinks: { ...data.scan.deltaLinks, Votes: missingFolderLink } } } } };
    const gone = await poll(waitForVoteEmailResults, params, vanished);
    expect(gone.execution_state, gone.output_message).toBe('IN_PROGRESS');
    expect(gone.output_message).toContain(`Folder not found in mailbox ${SOC}: Votes.`);
  });

  it('a distribution list in To is one recipient, answered by any of its members', async () => {
    const LIST = 'finance-team@contoso.example';
    await h.admin('POST', '/groups', { displayName: 'Finance team', mail: LIST, members: [ALICE, CAROL] });
    const sent = await askVote(`${LIST}, ${BOB}`);
    await answer(BOB, { text: 'Reject' });
    const waiting = await poll(waitForVoteEmailResults, voteParams(sent));
    expect(jsonOf(waiting).waiting_for).toEqual([LIST]);
    await answer(CAROL, { text: 'Approve' }); // her copy came through the list
    const done = await poll(waitForVoteEmailResults, voteParams(sent), waiting);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(jsonOf(done).Responses.map((r) => [r.recipient, r.vote, r.from])).toEqual([
      [LIST, 'Approve', CAROL],
      [BOB, 'Reject', BOB],
    ]);
  });

  it('goes on waiting when Graph cannot answer one poll, from the same state', async () => {
    const sent = await askVote(ALICE);
    const first = await poll(waitForVoteEmailResults, voteParams(sent));
    await answer(ALICE, { text: 'Approve' });
    await h.admin('PUT', '/settings', { faultRate: 1, faultStatuses: [503] });
    const failedPoll = await poll(waitForVoteEmailResults, voteParams(sent), first).finally(() => h.admin('PUT', '/settings', { faultRate: 0 }));
    expect(failedPoll.execution_state).toBe('IN_PROGRESS');
    expect(failedPoll.output_message).toMatch(/^Could not check for replies this time \(.*\); trying again at the next poll\.$/);
    expect((failedPoll.state as { data: unknown }).data).toEqual((first.state as { data: unknown }).data);
    const done = await poll(waitForVoteEmailResults, voteParams(sent), failedPoll);
    expect(done.execution_state).toBe('COMPLETED');
  });

  it('a first poll Graph cannot answer keeps the question; one at the deadline ends with what was heard', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}`);
    const faults = async <T,>(run: () => Promise<T>) => {
      await h.admin('PUT', '/settings', { faultRate: 1, faultStatuses: [503] });
      return run().finally(() => h.admin('PUT', '/settings', { faultRate: 0 }));
    };
    // The first poll finds the question, then its reading fails: the wait goes on.
    let calls = 0;
    const flaky = (o: Parameters<typeof createGraphClient>[0]) => {
      const g = createGraphClient(o);
      const batch = g.batch.bind(g);
      // Correlation is two $batch calls (the question, then the directory); what follows fails.
      g.batch = async (items, opts) => (calls++ < 2 ? batch(items, opts) : faults(() => batch(items, opts)));
      return g;
    };
    await answer(ALICE, { text: 'Approve' });
    const first = await runAction(waitForVoteEmailResults, { config: configOf(h), params: voteParams(sent), timeoutMs: 60_000 }, { createGraph: flaky, graphOptions: { retry: { ...FAST_RETRY, maxRetries: 1 }, clock: FAST_CLOCK } });
    expect(first.execution_state, first.output_message).toBe('IN_PROGRESS');
    expect(first.output_message).toMatch(/^Could not check for replies this time/);
    const saved = (first.state as { data: { correlation: { directoryUnavailable: boolean }; scan?: unknown } }).data;
    expect(saved.correlation.directoryUnavailable).toBe(false);
    expect(saved.scan).toBeUndefined();
    const heard = await poll(waitForVoteEmailResults, voteParams(sent), first);
    expect(heard.output_message).toContain(`Answered so far: ${ALICE}.`);
    // At the deadline Graph fails again: Alice's vote, heard before, still decides.
    const atDeadline = await faults(() => poll(waitForVoteEmailResults, voteParams(sent), pastDeadline(heard)));
    expect(atDeadline.execution_state).toBe('TIMEDOUT');
    expect(atDeadline.is_success).toBe(true);
    expect(atDeadline.output_message.split('\n').slice(0, 2)).toEqual([`Found the user ${ALICE} reply: Approve.`, `Exceeded timeout to get a reply from user: ${BOB}.`]);
    expect(atDeadline.output_message).toContain('Could not check for new replies at the deadline');
  });

  it('finishes at the first vote when not waiting for all', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}`);
    await answer(BOB, { text: 'Approve' });
    const done = await poll(waitForVoteEmailResults, voteParams(sent, { 'Wait for All Recipients to Reply?': 'false' }));
    expect(done.execution_state).toBe('COMPLETED');
    expect(done.output_message).toBe(`Found the user ${BOB} reply: Approve.`);
    expect(jsonOf(done).waiting_for).toEqual([ALICE]);
  });

  it('times out naming those who did not answer, with the documented messages', async () => {
    const sent = await askVote(`${ALICE}, ${BOB}, ${CAROL}`);
    await answer(BOB, { text: 'Approve' });
    const first = await poll(waitForVoteEmailResults, voteParams(sent), null, 3_600_000);
    expect(first.execution_state).toBe('IN_PROGRESS');
    expect((first.state as { deadline_at: number }).deadline_at).toBeGreaterThan(Date.now() + 3_000_000);
    const timedOut = await poll(waitForVoteEmailResults, voteParams(sent), pastDeadline(first));
    expect(timedOut.execution_state).toBe('TIMEDOUT');
    expect(timedOut.is_success).toBe(true);
    expect(timedOut.output_message).toBe(`Found the user ${BOB} reply: Approve.\nExceeded timeout to get a reply from user: ${ALICE}, ${CAROL}.`);
    expect(timedOut.state).toBeNull();

    const nobody = await askVote(CAROL, { Subject: 'Second question' });
    const start = await poll(waitForVoteEmailResults, voteParams(nobody), null, 60_000);
    const none = await poll(waitForVoteEmailResults, voteParams(nobody), pastDeadline(start));
    expect(none).toMatchObject({ execution_state: 'TIMEDOUT', is_success: false, output_message: 'Action failed to receive any replies until timeout.' });
  });

  it('leaves out replies matching Wait Stage Exclude pattern, and refuses a pattern RE2 cannot run', async () => {
    const sent = await askVote(ALICE);
    await answer(ALICE, { text: 'Approve. (This mailbox is monitored by an assistant.)' });
    const doc = await poll(waitForVoteEmailResults, voteParams(sent, { 'Wait Stage Exclude pattern': '(?i)monitored by an assistant' }));
    expect(doc.execution_state).toBe('IN_PROGRESS');
    expect(jsonOf(doc).not_counted[0].reason).toBe('matches Wait Stage Exclude pattern');
    const bad = await poll(waitForVoteEmailResults, voteParams(sent, { 'Wait Stage Exclude pattern': '(?<=x)y' }));
    expect(bad.execution_state).toBe('FAILED');
    expect(bad.output_message).toMatch(/^Failed to execute action, the error is: .*"Wait Stage Exclude pattern".*lookaround/);
  });

  it('says where it looked for a vote email it cannot find', async () => {
    const sent = await askVote(ALICE);
    const wrongFolder = await poll(waitForVoteEmailResults, voteParams(sent, { 'Folder to Check for Sent Mail': 'Inbox' }));
    expect(wrongFolder.output_message).toBe(
      `Failed to execute action, the error is: No email with id "${sent.id}" was found in mailbox ${SOC} (Vote Mail Sent From) in folders "Inbox" (Folder to Check for Sent Mail).`.replace('folders "Inbox"', 'folder "Inbox"'),
    );
  });
});

describe('Wait For Email From User', () => {
  async function askByEmail(to: string): Promise<Sent> {
    const doc = await invoke(h, sendEmail, { 'Send From': SOC, Subject: 'Did you click the link?', 'Send to': to, 'Mail Content': 'Did you click the link in the "password expiry" email?' });
    expect(doc.is_success, doc.output_message).toBe(true);
    return doc.json_result as Sent;
  }

  it('reads what the user wrote above the quoted question, and fetches the reply’s attachments', async () => {
    const sent = await askByEmail(`${ALICE}, ${BOB}`);
    await answer(ALICE, { of: 'Did you click the link?', text: 'Yes, at 9:14, sorry.\n\nFrom: SOC Mailbox\nDid you click the link?', attachment: { name: 'screenshot.txt', bytes: 'what I saw' } });
    const params = { 'Mail ID': sent.id, 'Wait for All Recipients to Reply?': 'false', 'Fetch Response Attachments': 'true' };
    const done = await poll(waitForEmailFromUser, params);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.output_message).toBe(`Found the user ${ALICE} reply: Yes, at 9:14, sorry.`);
    expect(jsonOf(done).Responses[0]).toMatchObject({ recipient: ALICE, reply: 'Yes, at 9:14, sorry.' });
    expect(done.case_wall.attachments.map((a) => [a.title, a.filename, Buffer.from(a.content_base64, 'base64').toString()])).toEqual([[`${ALICE} reply attachment`, 'screenshot.txt', 'what I saw']]);
  });

  it('does not take the question’s own copy for an answer when the sender is among the recipients', async () => {
    const sent = await askByEmail(`${SOC}, ${ALICE}`);
    const doc = await poll(waitForEmailFromUser, { 'Mail ID': sent.id, 'Wait for All Recipients to Reply?': 'false' });
    expect(doc.execution_state, doc.output_message).toBe('IN_PROGRESS');
    expect(jsonOf(doc).recipients).toEqual([ALICE]);
    const alone = await askByEmail(SOC);
    expect((await poll(waitForEmailFromUser, { 'Mail ID': alone.id })).output_message).toContain('was sent only to that mailbox itself');
  });

  it('still counts an answer heard and then deleted; its attachments are named as not fetched', async () => {
    const sent = await askByEmail(`${ALICE}, ${BOB}`);
    await answer(ALICE, { of: 'Did you click the link?', text: 'Yes', attachment: { name: 'proof.txt', bytes: 'x' } });
    const params = { 'Mail ID': sent.id, 'Fetch Response Attachments': 'true' };
    const first = await poll(waitForEmailFromUser, params);
    expect(first.execution_state).toBe('IN_PROGRESS');
    const g = h.client();
    const inSoc = await g.get<{ value: Array<{ id: string; hasAttachments: boolean }> }>(`/users/${SOC}/mailFolders/inbox/messages`, { query: { $select: 'id,hasAttachments' } });
    await g.post(`/users/${SOC}/messages/${inSoc.value.find((m) => m.hasAttachments)!.id}/permanentDelete`);
    await answer(BOB, { of: 'Did you click the link?', text: 'No' });
    const done = await poll(waitForEmailFromUser, params, first);
    expect(done.execution_state, done.output_message).toBe('COMPLETED');
    expect(done.output_message).toContain(`Found the user ${ALICE} reply: Yes`);
    expect(done.output_message).toContain(`Could not fetch 1 reply attachment(s): the attachments of ${ALICE}'s reply`);
  });

  it('looks for the sent email in the Default Mailbox and says so when it is not there', async () => {
    const doc = await poll(waitForEmailFromUser, { 'Mail ID': '<nowhere@contoso.example>' });
    expect(doc.execution_state).toBe('FAILED');
    expect(doc.output_message).toBe(`Failed to execute action, the error is: No email with id "<nowhere@contoso.example>" was found in mailbox ${SOC} (Default Mailbox) in any of its folders.`);
  });

  it('times out with the documented message naming who did not answer', async () => {
    const sent = await askByEmail(`${ALICE}, ${BOB}`);
    await answer(BOB, { of: 'Did you click the link?', text: 'No, I deleted it.' });
    const first = await poll(waitForEmailFromUser, { 'Mail ID': sent.id }, null, 60_000);
    expect(first.execution_state).toBe('IN_PROGRESS');
    const end = await poll(waitForEmailFromUser, { 'Mail ID': sent.id }, pastDeadline(first));
    expect(end.execution_state).toBe('TIMEDOUT');
    expect(end.output_message).toBe(`Found the user ${BOB} reply: No, I deleted it.\nTimeout getting reply from user: ${ALICE}.`);
  });
});
