/** Replies to a sent vote, found in the sender's folders: threaded answers of recipients, not automatic ones, not strangers'. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendThreadReply } from '../../src/actions/send-thread-reply.ts';
import { sendVoteEmail } from '../../src/actions/send-vote-email.ts';
import { readVote } from '../../src/mail/replies.ts';
import { findReplies } from '../../src/mail/reply-search.ts';
import { ALICE, BOB, CAROL, SOC, invoke, mailHarness, type MailHarness } from './helpers.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

interface Sent { id: string; internetMessageId: string; conversationId: string; sentDateTime: string }

describe('findReplies', () => {
  it('keeps the recipients’ threaded answers and their votes; drops automatic replies and strangers', async () => {
    await h.admin('POST', `/users/${BOB}/auto-reply`, { body: 'Reject, this is a real invoice.' });
    const vote = await invoke(h, sendVoteEmail, { 'Send From': SOC, Subject: 'Purge the phish?', 'Send to': `${ALICE}, ${BOB}`, 'Mail Content': 'Please vote.', 'Structure of voting options': 'Approve/Reject', 'Attachment Location': 'Local File System' });
    expect(vote.is_success, vote.output_message).toBe(true);
    const sent = vote.json_result as Sent;
    // Alice answers in the thread.
    const inAlice = await h.client().get<{ value: Array<{ id: string; subject: string }> }>(`/users/${ALICE}/mailFolders/inbox/messages`, { query: { $select: 'id,subject' } });
    const copy = inAlice.value.find((m) => m.subject === 'Purge the phish?')!;
    const answered = await invoke(h, sendThreadReply, { 'Send From': ALICE, 'Mail ID': copy.id, 'Mail Content': 'Approve' });
    expect(answered.is_success, answered.output_message).toBe(true);
    // An out-of-office in the thread, and a stranger's answer, do not count.
    const thread = `In-Reply-To: ${sent.internetMessageId}\r\nReferences: ${sent.internetMessageId}`;
    await h.deliver(SOC, 'Inbox', `From: ${ALICE}\r\nTo: ${SOC}\r\nSubject: Automatic reply: Purge the phish?\r\nAuto-Submitted: auto-replied\r\n${thread}\r\nMessage-ID: <oof.1@contoso.example>\r\n\r\nI am away.\r\n`);
    await h.deliver(SOC, 'Inbox', `From: ${CAROL}\r\nTo: ${SOC}\r\nSubject: RE: Purge the phish?\r\n${thread}\r\nMessage-ID: <carol.1@contoso.example>\r\n\r\nApprove\r\n`);

    const found = await findReplies(h.client(), { mailbox: SOC, internetMessageId: sent.internetMessageId, conversationId: sent.conversationId, sentMs: Date.parse(sent.sentDateTime), recipients: [ALICE, BOB] }, ['Inbox', 'Nope']);
    expect(found.missingFolders).toEqual(['Nope']);
    expect(found.replies.map((r) => r.from).sort()).toEqual([ALICE, BOB].sort());
    const votes = Object.fromEntries(found.replies.map((r) => [r.from, readVote(r, ['Approve', 'Reject'], 'Purge the phish?').vote]));
    expect(votes).toEqual({ [ALICE]: 'Approve', [BOB]: 'Reject' });
    expect(found.replies.every((r) => r.matchedBy === 'headers')).toBe(true);
  });
});
