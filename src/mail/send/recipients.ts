/**
 * Recipient parameters (To / CC / BCC / Reply-To) as a SOC engineer types or pastes them:
 * `a@x.example, b@y.example`, `a@x.example; b@y.example`, `Name <a@x.example>`,
 * `"Last, First" <a@x.example>`. Every value is checked before anything is sent, because Graph
 * only refuses a bad address when the draft is sent (ErrorInvalidRecipients), after the draft
 * and its attachments were already made.
 */
import { InputError } from '../../soar/errors.ts';
import { senderAddress } from '../header-values.ts';

/** Graph's recipient resource: `{ emailAddress: { address, name? } }` (resources/recipient.md). */
export interface Recipient {
  emailAddress: { address: string; name?: string };
}

/**
 * The list's entries, split on `,` / `;` outside quoted display names, angle brackets and
 * comments, so `"Last, First" <a@x.example>` stays one entry.
 */
export function splitRecipientList(text: string): string[] {
  const entries: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  let comment = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (quoted || comment > 0)) {
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
    } else if (comment > 0) {
      if (c === '(') comment++;
      else if (c === ')') comment--;
    } else if (angle) {
      if (c === '>') angle = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === '(') {
      comment = 1;
    } else if (c === '<') {
      angle = true;
    } else if (c === ',' || c === ';') {
      entries.push(text.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(text.slice(start));
  return entries.map((e) => e.trim()).filter((e) => e !== '');
}

/*
 * An addr-spec without quoted local parts or domain literals: what an Exchange recipient
 * can be. The domain needs a dot and labels of letters, digits and hyphens, so typos such as
 * `alice@contoso` or `alice@contoso..example` are caught here rather than bounced as NDRs.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9\u00a0-\uffff-]{1,63}(?<!-)$/;

export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.length > 320) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** The display name before `<`, unquoted; undefined for a bare address. */
function displayNameOf(entry: string): string | undefined {
  const lt = entry.indexOf('<');
  if (lt < 0) return undefined;
  let name = entry.slice(0, lt).trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  return name === '' ? undefined : name;
}

/**
 * Parses one recipient parameter. Empty or absent gives []; any entry that is not one valid
 * address throws an InputError naming the parameter and the entry as typed.
 */
export function parseRecipients(parameter: string, value: string | undefined | null): Recipient[] {
  if (value == null || value.trim() === '') return [];
  const seen = new Set<string>();
  const out: Recipient[] = [];
  for (const entry of splitRecipientList(value)) {
    let address: string;
    try {
      address = senderAddress(entry);
    } catch {
      throw new InputError(`Invalid email address in "${parameter}": "${entry}".`, parameter);
    }
    if (!isValidAddress(address)) throw new InputError(`Invalid email address in "${parameter}": "${entry}".`, parameter);
    // Outlook would deliver twice to the same address listed twice in one field.
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const name = displayNameOf(entry);
    out.push({ emailAddress: name === undefined ? { address } : { address, name } });
  }
  return out;
}

/** The recipient parameters of one send, parsed together so the first bad one is reported. */
export interface RecipientParameters {
  to?: { parameter: string; value: string | undefined | null };
  cc?: { parameter: string; value: string | undefined | null };
  bcc?: { parameter: string; value: string | undefined | null };
  replyTo?: { parameter: string; value: string | undefined | null };
}

export interface ParsedRecipients {
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
}

export function parseRecipientParameters(params: RecipientParameters): ParsedRecipients {
  const one = (p?: { parameter: string; value: string | undefined | null }) => (p ? parseRecipients(p.parameter, p.value) : []);
  return { toRecipients: one(params.to), ccRecipients: one(params.cc), bccRecipients: one(params.bcc), replyTo: one(params.replyTo) };
}

/** Throws the InputError for a required recipient parameter left empty. */
export function requireRecipients(parameter: string, recipients: Recipient[]): Recipient[] {
  if (recipients.length === 0) throw new InputError(`"${parameter}" needs at least one email address.`, parameter);
  return recipients;
}
