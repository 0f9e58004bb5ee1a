/**
 * The voting block of Send Vote Email for every mail client: one `mailto:` answer link per option
 * (a reply to the sender whose subject starts with the option, `Approve: <subject>`, and whose
 * first line is the option), and the instruction to answer with the option as the first word,
 * so a plain reply is read without ambiguity too (the waiting action reads the subject prefix,
 * then the first line the recipient wrote). Outlook's own voting buttons are verb-stream.ts.
 */
import { escapeHtml } from './html.ts';

/** `Structure of voting options`, as documented. */
export const VOTING_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'Yes/No': ['Yes', 'No'],
  'Approve/Reject': ['Approve', 'Reject'],
};

export function votingOptions(structure: string): readonly string[] {
  const hit = Object.entries(VOTING_OPTIONS).find(([k]) => k.toLowerCase() === structure.trim().toLowerCase());
  if (!hit) throw new RangeError(`Unknown voting options "${structure}": expected ${Object.keys(VOTING_OPTIONS).join(' or ')}.`);
  return hit[1];
}

/** The subject of a vote reply: `Approve: Purge the phish?`. */
export function voteReplySubject(option: string, subject: string): string {
  return `${option}: ${subject}`;
}

/** mailto: as RFC 6068 writes it: the address as is, subject and body percent-encoded. */
export function mailtoLink(to: string, subject: string, body: string): string {
  return `mailto:${encodeURIComponent(to).replace(/%40/g, '@')}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

/**
 * What an answer link's body carries besides the option: `(ref 1a2b3c4d)`, this question's
 * reference. An answer link makes a new message, not a reply, so two open questions with the same
 * subject would otherwise take each other's answers; the waiting action reads the reference back
 * from the sent email's links.
 */
export function answerRefText(ref: string): string {
  return `(ref ${ref})`;
}

/** The reference of a question's answer links, read back from its HTML (null when it has none). */
export function answerRefOf(html: string): string | null {
  return /mailto:[^"'\s>]*body=[^"'\s>]*\(ref(?:%20|\+| )([0-9a-f]{8})\)/i.exec(html)?.[1]?.toLowerCase() ?? null;
}

/** The block for the template's `{{vote}}`: a table row of answer buttons and the plain-reply instruction. */
export function voteBlockHtml(options: readonly string[], replyTo: string, subject: string, ref?: string): string {
  const buttons = options
    .map((o) => `<a href="${escapeHtml(mailtoLink(replyTo, voteReplySubject(o, subject), ref ? `${o}\n\n${answerRefText(ref)}` : o))}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 20px;border:1px solid #0052cc;border-radius:3px;color:#0052cc;text-decoration:none;font-weight:600;">${escapeHtml(o)}</a>`)
    .join('');
  const words = options.map((o) => `<b>${escapeHtml(o)}</b>`).join(' or ');
  return `<tr><td style="padding:0 24px 20px 24px;font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#172b4d;">${buttons}<br>` +
    `<span style="color:#5e6c84;">Or reply to this email with ${words} as the first word of your answer.</span></td></tr>`;
}
