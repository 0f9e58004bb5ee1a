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

describe('the written part of HTML replies, as clients quote', () => {
  const line = (html: string) => firstWrittenLine(html, true);
  it('cuts at Apple Mail / Thunderbird blockquotes, Gmail quotes, Outlook on the web markers and rules', () => {
    expect(writtenPart('<div>Not sure yet.</div><blockquote type="cite">Reply with Approve or Reject</blockquote>', true)).toBe('Not sure yet.');
    expect(writtenPart('<div dir="ltr">Reject</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, SOC wrote:</div>Approve or Reject?</div>', true)).toBe('Reject');
    expect(writtenPart('<div>Call me first</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> SOC</div>Approve', true)).toBe('Call me first');
    expect(writtenPart('<p>ok</p><hr style="display:inline-block;width:98%"><p>Approve or Reject?</p>', true)).toBe('ok');
  });

  it('reads wrapped source lines as spaces and every block as its own line', () => {
    expect(line('<p class=MsoNormal>I\r\napprove<o:p></o:p></p>')).toBe('I approve');
    expect(writtenPart('<p>Approve<p>Reject', true)).toBe('Approve\nReject');
    expect(line('<table><tr><td>Approve</td><td>now</td></tr></table>')).toBe('Approve now');
    expect(writtenPart('Reject\n\nDe : SOC <soc@x>\nEnvoyé : lundi\nApprove or Reject?', false)).toBe('Reject');
    // Preformatted bodies keep their lines (and so their quote markers).
    expect(line('<pre>Reject\n\n&gt; Reply with Approve or Reject</pre>')).toBe('Reject');
    expect(writtenPart('<div><div style="white-space:pre-wrap">Reject\n&gt; Approve or Reject?</div></div>', true)).toBe('Reject');
    expect(writtenPart('Approve\n> Approve or Reject?', true)).toBe('Approve');
  });
});

describe('votes', () => {
  const Q = 'Purge?';
  it("Outlook's voting response first, then an answer link's subject, then the first written line", () => {
    expect(readVote({ verbResponse: 'Reject', subject: 'Approve: Purge?', body: 'Approve' }, OPTIONS, Q)).toEqual({ vote: 'Reject', by: 'voting button' });
    expect(readVote({ subject: 'Approve: Purge?', body: '' }, OPTIONS, Q)).toEqual({ vote: 'Approve', by: 'subject' });
    expect(readVote({ subject: 'approve:  purge?', body: '' }, OPTIONS, Q)).toEqual({ vote: 'Approve', by: 'subject' });
    // A reply to an answer link's message is read by what it says: a correction wins.
    expect(readVote({ subject: 'RE: Approve: Purge?', body: 'Reject - wrong button' }, OPTIONS, Q)).toEqual({ vote: 'Reject', by: 'first line' });
    expect(readVote({ subject: 'RE: Purge?', body: 'reject, it is legit\n> Approve or Reject?' }, OPTIONS, Q)).toEqual({ vote: 'Reject', by: 'first line' });
  });

  it('a question whose subject starts with an option does not vote for whoever answers it', () => {
    const question = 'Approve: purge the phish from 40 mailboxes?';
    expect(readVote({ subject: `RE: ${question}`, body: 'Reject - this is the real invoice' }, OPTIONS, question)).toEqual({ vote: 'Reject', by: 'first line' });
    expect(readVote({ subject: `RE: ${question}`, body: 'Let me check' }, OPTIONS, question)).toEqual({ vote: null });
    expect(readVote({ subject: `Reject: ${question}`, body: '' }, OPTIONS, question)).toEqual({ vote: 'Reject', by: 'subject' });
  });

  it('the first line votes only when it starts with the one option it names', () => {
    expect(readVote({ subject: 'RE: Purge?', body: 'Do not approve' }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: "I don't approve" }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: '"Approve" - go ahead' }, OPTIONS, Q)).toEqual({ vote: 'Approve', by: 'first line' });
    expect(readVote({ subject: 'RE: Purge?', body: 'Not sure' }, ['Yes', 'No'], Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'No, keep it' }, ['Yes', 'No'], Q)).toEqual({ vote: 'No', by: 'first line' });
  });

  it('a reply quoting all the options, naming two, or naming none carries no vote', () => {
    expect(readVote({ subject: 'RE: Purge?', body: '> Approve or Reject?' }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'Approve or Reject? not sure' }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'Call me' }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', isHtml: true, body: '<div>Thanks</div><blockquote>Approve</blockquote>' }, OPTIONS, Q)).toEqual({ vote: null });
    // A whole word only: "Approved" or "Disapprove" is not "Approve".
    expect(readVote({ subject: 'RE: Purge?', body: 'Disapprove' }, OPTIONS, Q)).toEqual({ vote: null });
    expect(readVote({ subject: 'RE: Purge?', body: 'yes' }, ['Yes', 'No'], Q)).toEqual({ vote: 'Yes', by: 'first line' });
  });
});
