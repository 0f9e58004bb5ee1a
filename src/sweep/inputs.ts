/**
 * Reading and checking the documented sweep parameters once, up front, so a bad value fails the
 * action with an error naming the parameter before any mailbox is touched.
 */
import { contains, eq } from '../graph/odata.ts';
import type { Params } from '../soar/params.ts';
import { InputError } from '../soar/errors.ts';
import { folderPathLevels } from '../mail/folders.ts';
import { senderAddress } from '../mail/header-values.ts';
import { parseMailIds, type MailId } from '../mail/mail-ids.ts';
import type { SearchCriteria } from '../mail/search.ts';

export const P = {
  folder: 'Folder Name',
  mailIds: 'Mail IDs',
  subject: 'Subject Filter',
  sender: 'Sender Filter',
  timeFrame: 'Time Frame (minutes)',
  onlyUnread: 'Only Unread',
  max: 'Max Emails To Return',
  selectAll: 'Select All Fields For Return',
} as const;

/**
 * Valid ranges of the sweeps' numbers; the docs give none (docs/deviations.md lists these):
 * - Time Frame: 100 years of 365.25 days, so the window always starts after the filter's 1900
 *   floor and within the 0001-9999 years a Graph DateTimeOffset literal can carry.
 * - Max Emails To Return: a million, the per-folder message limit of Exchange Online's service
 *   description (no Graph document states one).
 * - Batch size: a million mailboxes; any value at or above the list's length sweeps it in one go.
 */
export const TIME_FRAME_RANGE = { min: 1, max: 52_596_000 } as const;
export const MAX_EMAILS_RANGE = { min: 1, max: 1_000_000 } as const;
export const BATCH_SIZE_RANGE = { min: 1, max: 1_000_000 } as const;

/** A folder path parameter, normalised; an error naming the parameter when it is empty. */
export function folderParam(params: Params, name: string): string {
  const raw = params.requiredString(name);
  try {
    return folderPathLevels(raw).join('/');
  } catch {
    throw new InputError(`Invalid value for parameter "${name}": expected a folder path such as Inbox or Inbox/Phishing/2024, got "${raw}".`, name);
  }
}

/** Throws an InputError naming `param` when `build` (an odata.ts helper) refuses the value. */
function checkOData(param: string, build: () => unknown): void {
  try {
    build();
  } catch (e) {
    throw new InputError(`Invalid value for parameter "${param}": ${e instanceof Error ? e.message : String(e)}`, param);
  }
}

/**
 * `Sender Filter` as people paste it from a From header (`Name <a@b.example>`, `<a@b.example>`):
 * Graph's `from/emailAddress/address` holds the bare address, so only that is compared.
 */
function senderParam(params: Params): string | null {
  const raw = params.string(P.sender);
  if (raw === null) return null;
  let sender: string;
  try {
    sender = senderAddress(raw);
  } catch (e) {
    throw new InputError(`Invalid value for parameter "${P.sender}": ${e instanceof Error ? e.message : String(e)}`, P.sender);
  }
  checkOData(P.sender, () => eq('from/emailAddress/address', sender));
  return sender;
}

export function criteriaParams(params: Params): SearchCriteria {
  const { subject, sender } = subjectSenderParams(params);
  return { subject, sender, timeFrameMinutes: params.integer(P.timeFrame), onlyUnread: params.boolean(P.onlyUnread) };
}

export function mailIdsParam(params: Params): MailId[] {
  const ids = parseMailIds(params.list(P.mailIds));
  for (const id of ids) if (id.kind === 'internetMessageId') checkOData(P.mailIds, () => eq('internetMessageId', id.value));
  return ids;
}

export function hasCriteria(c: SearchCriteria): boolean {
  return !!(c.subject || c.sender || c.timeFrameMinutes || c.onlyUnread);
}

/** A folder path parameter that may be left empty (null: search the whole mailbox), normalised. */
export function optionalFolderParam(params: Params, name: string): string | null {
  return params.string(name) === null ? null : folderParam(params, name);
}

/**
 * `Subject Filter` and `Sender Filter` alone (criteriaParams adds the rest), for actions that
 * do not declare the time frame or unread parameters.
 */
export function subjectSenderParams(params: Params): Pick<SearchCriteria, 'subject' | 'sender'> {
  const subject = params.string(P.subject);
  if (subject !== null) checkOData(P.subject, () => contains('subject', subject));
  return { subject, sender: senderParam(params) };
}

/**
 * Refuses a sweep that would act on every email of the folder (no Mail IDs, no criterion), naming
 * the parameters to fill in; `consequence` ends the sentence: "deleted", "moved".
 */
export function requireCriterion(ids: readonly MailId[], criteria: SearchCriteria, consequence: string): void {
  if (ids.length > 0 || hasCriteria(criteria)) return;
  throw new InputError(
    `Provide "${P.mailIds}" or at least one of "${P.subject}", "${P.sender}", "${P.timeFrame}", "${P.onlyUnread}": without any criterion every email of the folder would be ${consequence}.`,
    P.mailIds,
  );
}
