/** Reading replies: automatic ones, the written part above the quote, and the vote. */
import { describe, expect, it } from 'vitest';
import { firstWrittenLine, isAutomaticReply, readVote, writtenPart } from '../../src/mail/replies.ts';

const OPTIONS = ['Approve', 'Reject'];

describe('automatic replies', () => {
  it('RFC 3834 Auto-Submitted, X-Autoreply, Precedence, Exchange OOF and an "Automatic reply:" subject', () => {
    expect(isAutomaticReply([{ name: 'Auto-Submitted', value: 'auto-replied' }])).toBe(true);
    expect(isAutomaticReply([{ name: 'Auto-Submitted', value: 'no' }])).toBe(false);
    expect(isAutomaticReply([{ name: 'X-Autoreply', value: 'yes' }])).toBe(true);
    expect(isAutomaticReply([{ name: 'Precedence', value: 'auto_reply' }])).toBe(true);
    expect(isAutomaticReply([{ name: 'X-Auto-Response-Suppress', value: 'All' }])).toBe(false);
    expect(isAutomaticReply([], 'Automatic reply: Purge?')).toBe(true);
    expect(isAutomaticReply([], 'RE: Purge?')).toBe(false);
  });
});

describe('the written part', () => {
  it('stops at quote markers, Outlook header blocks, "On ... wrote:" and signatures', () => {
    expect(writtenPart('Approve, go ahead\n\n> Approve or Reject?', false)).toBe('Approve, go ahead');
    expect(writtenPart('Reject\r\n________________________________\r\nFrom: SOC <soc@x>\r\nSent: today\r\nApprove or Reject?', false)).toBe('Reject');
    expect(writtenPart('ok\nOn Mon, 1 Dec 2026 at 10:00, SOC <soc@x> wrote:\n> Approve', false)).toBe('ok');
    expect(writtenPart('Approve\n-- \nJane, CISO', false)).toBe('Approve');
    expect(firstWrittenLine('<div>&nbsp;</div><div>Approve &amp; thanks</div><blockquote>Approve or Reject?</blockquote>', true)).toBe('Approve & thanks');
  });
});

describe('votes', () => {
  it("Outlook's voting response first, then the subject prefix, then the first written line", () => {
    expect(readVote({ verbResponse: 'Reject', subject: 'Approve: Purge?', body: 'Approve' }, OPTIONS)).toEqual({ vote: 'Reject', by: 'voting button' });
    expect(readVote({ subject: 'RE: Approve: Purge?', body: '' }, OPTIONS)).toEqual({ vote: 'Approve', by: 'subject' });
    expect(readVote({ subject: 'RE: Purge?', body: 'reject, it is legit\n> Approve or Reject?' }, OPTIONS)).toEqual({ vote: 'Reject', by: 'first line' });
  });

  it('a reply quoting all the options, naming two, or naming none carries no vote', () => {
    expect(readVote({ subject: 'RE: Purge?', body: '> Approve or Reject?' }, OPTIONS)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'Approve or Reject? not sure' }, OPTIONS)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'Call me' }, OPTIONS)).toEqual({ vote: null });
    // A whole word only: "Approved" or "Disapprove" is not "Approve".
    expect(readVote({ subject: 'RE: Purge?', body: 'Disapprove' }, OPTIONS)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'yes' }, ['Yes', 'No'])).toEqual({ vote: 'Yes', by: 'first line' });
  });
});
