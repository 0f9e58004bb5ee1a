/**
 * $search, part 2: matching a parsed KQL query against a stored message (free text over
 * subject, body and sender; recipients, attachment names, importance, dates by UTC day, size).
 * Separate from the KQL parser so what each property searches is read in one place.
 */
import { parseKql, type KqlNode } from './kql.ts';

/** $search on messages: "term", property:value, AND/OR/NOT, parentheses. */
export function compileSearch(search: string): (msg: Record<string, unknown>) => boolean {
  let text = search.trim();
  // The whole KQL query travels inside one pair of double quotes.
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  text = text.replace(/\\"/g, '"');
  const ast = parseKql(text);
  if (!ast) return () => true;
  return (msg) => evalKql(ast, msg);
}

function evalKql(node: KqlNode, msg: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'and':
      return evalKql(node.left, msg) && evalKql(node.right, msg);
    case 'or':
      return evalKql(node.left, msg) || evalKql(node.right, msg);
    case 'not':
      return !evalKql(node.operand, msg);
    case 'term':
      return matchTerm(node, msg);
  }
}

function recipientTexts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: string[] = [];
  for (const r of list) {
    const email = (r as { emailAddress?: { name?: unknown; address?: unknown } } | null)?.emailAddress;
    if (typeof email?.name === 'string') out.push(email.name);
    if (typeof email?.address === 'string') out.push(email.address);
  }
  return out;
}

function bodyText(msg: Record<string, unknown>): string {
  const body = msg.body as { content?: unknown } | undefined;
  const content = typeof body?.content === 'string' ? body.content : '';
  return `${content.replace(/<[^>]*>/g, ' ')} ${typeof msg.bodyPreview === 'string' ? msg.bodyPreview : ''}`;
}

function anyContains(texts: string[], needle: string): boolean {
  const n = needle.toLowerCase();
  return texts.some((t) => t.toLowerCase().includes(n));
}

function matchTerm(term: Extract<KqlNode, { type: 'term' }>, msg: Record<string, unknown>): boolean {
  const value = term.value;
  const str = (k: string): string => (typeof msg[k] === 'string' ? (msg[k] as string) : '');
  switch (term.property) {
    case undefined:
      return anyContains([str('subject'), bodyText(msg), ...recipientTexts(msg.from)], value);
    case 'from':
      return anyContains(recipientTexts(msg.from), value);
    case 'to':
      return anyContains(recipientTexts(msg.toRecipients), value);
    case 'cc':
      return anyContains(recipientTexts(msg.ccRecipients), value);
    case 'bcc':
      return anyContains(recipientTexts(msg.bccRecipients), value);
    case 'recipients':
      return anyContains([...recipientTexts(msg.toRecipients), ...recipientTexts(msg.ccRecipients), ...recipientTexts(msg.bccRecipients)], value);
    case 'participants':
      return anyContains(
        [...recipientTexts(msg.from), ...recipientTexts(msg.toRecipients), ...recipientTexts(msg.ccRecipients), ...recipientTexts(msg.bccRecipients)],
        value,
      );
    case 'subject':
      return anyContains([str('subject')], value);
    case 'body':
      return anyContains([bodyText(msg)], value);
    case 'attachment': {
      const names = Array.isArray(msg.attachments)
        ? (msg.attachments as { name?: unknown }[]).map((a) => (typeof a.name === 'string' ? a.name : ''))
        : [];
      return anyContains(names, value);
    }
    case 'hasattachment':
    case 'hasattachments':
      return String(msg.hasAttachments === true) === value.toLowerCase();
    case 'importance': {
      const v = value.toLowerCase() === 'medium' ? 'normal' : value.toLowerCase();
      return str('importance').toLowerCase() === v;
    }
    case 'kind':
      return value.toLowerCase() === 'email';
    case 'received':
    case 'sent':
      return matchDate(str(term.property === 'received' ? 'receivedDateTime' : 'sentDateTime'), term.op, value);
    case 'size': {
      const size = typeof msg.size === 'number' ? msg.size : 0;
      const range = /^(\d+)\.\.(\d+)$/.exec(value);
      if (range) return size >= Number(range[1]) && size <= Number(range[2]);
      return compareOrdered(size, Number(value), term.op);
    }
    default:
      return false;
  }
}

/** KQL dates: M/D/YYYY or YYYY-MM-DD, matched by UTC day. */
function parseKqlDay(value: string): number | undefined {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (m) return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return undefined;
}

const DAY_MS = 86_400_000;

function matchDate(iso: string, op: string, value: string): boolean {
  const ms = Date.parse(iso);
  const day = parseKqlDay(value);
  if (Number.isNaN(ms) || day === undefined) return false;
  const msgDay = Math.floor(ms / DAY_MS) * DAY_MS;
  return compareOrdered(msgDay, day, op);
}

function compareOrdered(a: number, b: number, op: string): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return a === b;
  }
}
