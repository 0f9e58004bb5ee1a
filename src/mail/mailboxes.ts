/**
 * Mailbox lists of a parameter, and telling "this mailbox does not exist" apart from "this item
 * does not exist" in Graph's 404s (DECISIONS.md "Mailboxes not found").
 */
import { GraphError, isGraphError } from '../graph/errors.ts';
import type { BatchItemResult } from '../graph/types.ts';
import { segment } from '../graph/url.ts';

/**
 * 404 codes that only ever mean the user / mailbox: unknown UPN (ErrorInvalidUser), unknown
 * object id (ResourceNotFound), a user without an Exchange Online mailbox
 * (MailboxNotEnabledForRESTAPI, ErrorNonExistentMailbox), directory lookups (Request_ResourceNotFound).
 */
const MAILBOX_MISSING_CODES = new Set([
  'ErrorInvalidUser',
  'ResourceNotFound',
  'MailboxNotEnabledForRESTAPI',
  'ErrorNonExistentMailbox',
  'Request_ResourceNotFound',
]);

/**
 * What a request addressed: `mailbox` = only the mailbox (`/users/x/messages`, `/users/x/mailFolders`),
 * so ANY 404 can only mean the mailbox; `item` = an item inside it (a folder, a message), so
 * ErrorItemNotFound means the item and only the user codes mean the mailbox.
 */
export type NotFoundScope = 'mailbox' | 'item';

export function isMailboxMissing(e: unknown, scope: NotFoundScope): boolean {
  if (!isGraphError(e) || e.status !== 404) return false;
  if (MAILBOX_MISSING_CODES.has(e.code)) return true;
  return scope === 'mailbox';
}

/** An item (folder, message) is missing: 404 on an item, or an id Graph cannot even parse. */
export function isItemMissing(e: unknown): boolean {
  if (!isGraphError(e)) return false;
  if (e.status === 404) return !MAILBOX_MISSING_CODES.has(e.code);
  return e.status === 400 && (e.code === 'ErrorInvalidIdMalformed' || e.code === 'ErrorInvalidId');
}

/** One `$batch` item's answer, sorted into what a sweep does with it. */
export type ItemOutcome<T> =
  /** `body` is absent when Graph answers without one (a 204). */
  | { kind: 'ok'; status: number; body: T | undefined }
  | { kind: 'notFound'; error: GraphError }
  /** The mailbox itself is missing (the one spelling of that state, as in MailboxVerdict). */
  | { kind: 'missing'; error: GraphError }
  | { kind: 'failed'; error: GraphError };

export function classifyResult<T>(r: BatchItemResult<T>, scope: NotFoundScope): ItemOutcome<T> {
  if (!r.error && r.status >= 200 && r.status < 300) return { kind: 'ok', status: r.status, body: r.body };
  const error =
    r.error ?? new GraphError({ status: r.status, code: 'UnexpectedStatus', message: `Microsoft Graph answered ${r.status}.` });
  if (isMailboxMissing(error, scope)) return { kind: 'missing', error };
  if (scope === 'item' && isItemMissing(error)) return { kind: 'notFound', error };
  return { kind: 'failed', error };
}

/** `/users/{mailbox}` with the mailbox made safe for one path segment; `@` kept readable. */
export function mailboxPath(mailbox: string): string {
  return `/users/${segment(mailbox.trim()).replace(/%40/g, '@')}`;
}

/** Case-insensitive key of a mailbox (Graph treats UPNs and SMTP addresses case-insensitively). */
export function mailboxKey(mailbox: string): string {
  return mailbox.trim().toLowerCase();
}

/**
 * The mailboxes of a comma-separated parameter: trimmed, empties dropped, duplicates dropped
 * case-insensitively (first spelling kept). The literal `Default Mailbox` means the integration's
 * Default Mailbox. An empty list (`" , "`) stays empty, so a required parameter fails, unless
 * `emptyMeansDefault` (the parameters DECISIONS.md lets fall back, e.g. Junk's Search In Mailbox):
 * a playbook placeholder that comes out as "," must never sweep the SOC's own mailbox.
 */
export function mailboxList(
  value: string | readonly string[] | null | undefined,
  defaultMailbox?: string,
  opts: { emptyMeansDefault?: boolean } = {},
): string[] {
  const parts = value === null || value === undefined ? [] : typeof value === 'string' ? value.split(',') : value.flatMap((v) => v.split(','));
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (m: string) => {
    const k = mailboxKey(m);
    if (k === '' || seen.has(k)) return;
    seen.add(k);
    out.push(m.trim());
  };
  for (const raw of parts) {
    const m = raw.trim();
    if (m.toLowerCase() === 'default mailbox') {
      if (defaultMailbox) add(defaultMailbox);
      continue;
    }
    add(m);
  }
  if (out.length === 0 && opts.emptyMeansDefault && defaultMailbox) add(defaultMailbox);
  return out;
}
