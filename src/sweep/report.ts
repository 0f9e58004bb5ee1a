/**
 * The one report policy of the sweeps: the verdicts of a finished run (its state) turned into the
 * documented message lines, driven by each action's message table. It returns plain text and a
 * success flag, so an action wraps it in its outcome and the connector in its own.
 */
import { causeOf } from '../mail/verdict.ts';
import { countOf, groupByCause, sampleOf } from '../soar/causes.ts';
import { renderMessage } from '../soar/messages.ts';
import type { FailedMailbox, SweepState } from './engine.ts';

export interface SweepReport {
  ok: boolean;
  message: string;
}

/** The documented "prefix {MAILBOX}: {COUNT}" template rendered for a list of mailboxes. */
export function renderPerMailbox(template: string, mailboxKey: string, countKey: string, entries: ReadonlyArray<[string, number]>): string {
  const at = template.indexOf(`{${mailboxKey}}`);
  if (at < 0) throw new Error(`Template has no {${mailboxKey}}: ${template}`);
  const prefix = template.slice(0, at);
  const pair = template.slice(at);
  return prefix + entries.map(([m, n]) => renderMessage(pair, { [mailboxKey]: m, [countKey]: n })).join(', ');
}

/** Failed mailboxes a message names per cause; the JSON result's `failed_mailboxes` has them all. */
const MAILBOXES_NAMED = 10;

type Failed = SweepState<unknown>['failed'][number];

/**
 * Failed mailboxes by cause (an access policy or an outage fails many mailboxes alike): the same
 * code and the same reason once the mailbox's own name and the request id are left out.
 */
function byCause(state: SweepState<unknown>) {
  return groupByCause(state.failed, (f: Failed) => `${f.code ?? ''}|${causeOf(f.reason).split(f.mailbox).join('\u0000')}`);
}

/** A group's reason: the one of its first mailbox, named when it is not the only one. */
function groupReason(items: Failed[]): string {
  return items.length === 1 ? items[0].reason : `${countOf(items.length, 'mailbox', 'mailboxes')}; for ${items[0].mailbox}: ${items[0].reason}`;
}

/**
 * The lines naming failed mailboxes, one per cause: `a (reason)`, or
 * `a, b, c (3 mailboxes; for a: reason)` (undocumented: the docs have no partial-failure message).
 */
export function failedLine(state: SweepState<unknown>, verb: string): string[] {
  return byCause(state).map(({ items }) => {
    const names = sampleOf(items.map((f) => f.mailbox), MAILBOXES_NAMED);
    return `Failed to ${verb} in the following mailboxes: ${names} (${groupReason(items)})`;
  });
}

/** The line naming the mailboxes a run-wide stop left unprocessed. */
export function skippedLine(state: SweepState<unknown>): string[] {
  return state.skipped.length > 0 ? [`Not processed because of the error above: ${sampleOf(state.skipped, MAILBOXES_NAMED)}`] : [];
}

/** Lines naming failed and skipped mailboxes. */
export function failureLines(state: SweepState<unknown>, verb: string): string[] {
  return [...failedLine(state, verb), ...skippedLine(state)];
}

/** The reason of the documented error message when no mailbox got through: every failed mailbox with its reason. */
export function failedReasons(state: SweepState<unknown>): string {
  return byCause(state)
    .map(({ items }) =>
      items.length === 1
        ? `${items[0].mailbox}: ${items[0].reason}`
        : `${sampleOf(items.map((f) => f.mailbox), MAILBOXES_NAMED)} (${groupReason(items)})`,
    )
    .join('\n');
}

/** Whether no mailbox of the run exists (the documented "no mailboxes found" failure). */
export function allMissing(state: SweepState<unknown>): boolean {
  return state.missing.length === state.mailboxes.length;
}

/** The part of a sweep's JSON result that names the mailboxes and what became of them. */
export interface SweepSummary {
  mailboxes_total: number;
  missing_mailboxes: string[];
  /** Folder parameter -> the mailboxes where that folder was not found. */
  folder_not_found: Record<string, string[]>;
  failed_mailboxes: FailedMailbox[];
  /** Only when a run-wide error stopped the run. */
  skipped_mailboxes?: string[];
}

/** Failures recorded for the JSON result. */
export function sweepSummary(state: SweepState<unknown>): SweepSummary {
  return {
    mailboxes_total: state.mailboxes.length,
    missing_mailboxes: state.missing,
    folder_not_found: state.folderNotFound,
    failed_mailboxes: state.failed,
    ...(state.skipped.length > 0 ? { skipped_mailboxes: state.skipped } : {}),
  };
}

/** The message table of a counting sweep (Search, Delete, Move), as functions of the run's values. */
export interface CountTable {
  /** Head line when emails were counted: the count per mailbox. */
  success(counts: ReadonlyArray<[string, number]>): string;
  noMailboxesFound(missing: string[]): string;
  mailboxNotFound(mailbox: string): string;
  noEmailsFound(): string;
  /** Per folder parameter, in the order lines are given, the line naming where it was not found. */
  folderNotFound: Record<string, (mailboxes: string[]) => string>;
  error(reason: string): string;
}

export interface CountReportSpec<R> {
  table: CountTable;
  /** The verb of the failure lines ("delete emails"). */
  verb: string;
  /** Emails a mailbox's result counts for the success line. */
  count(result: R): number;
  /** A line for a mailbox that counted emails yet failed on some. */
  partial?(mailbox: string, result: R): string | undefined;
  /** Lines closing every report but "no mailboxes found" (e.g. a hint). */
  notes?: string[];
  /** Whether finding nothing is a success (Search) or a failure (the sweeps that act). */
  noEmailsFound: 'success' | 'failure';
  /** Where the folder lines go among the others: before or after the missing-mailbox lines. */
  folderLines: 'before-missing' | 'after-missing';
  /**
   * When no mailbox had the folder: `line` = the folder lines are the failure (documented), or
   * `error` = the documented error message carries them (an action without a folder message;
   * only when no mailbox failed otherwise).
   */
  folderFailure: 'line' | 'error';
}

/** The documented message of a finished counting sweep. */
export function countReport<R>(state: SweepState<R>, spec: CountReportSpec<R>): SweepReport & { total: number } {
  const entries = Object.entries(state.results);
  const counts = entries.filter(([, r]) => spec.count(r) > 0).map(([m, r]): [string, number] => [m, spec.count(r)]);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const t = spec.table;
  if (allMissing(state)) return { ok: false, message: t.noMailboxesFound(state.missing), total };
  const missing = state.missing.map((m) => t.mailboxNotFound(m));
  const folders = Object.entries(t.folderNotFound).flatMap(([which, line]) => {
    const boxes = state.folderNotFound[which] ?? [];
    return boxes.length > 0 ? [line(boxes)] : [];
  });
  const partial = spec.partial ? entries.flatMap(([m, r]) => spec.partial!(m, r) ?? []) : [];
  const notes = spec.notes ?? [];
  const around = (withFolders: boolean, failures: string[]) => [
    ...(withFolders && spec.folderLines === 'before-missing' ? folders : []),
    ...missing,
    ...(withFolders && spec.folderLines === 'after-missing' ? folders : []),
    ...failures,
    ...partial,
    ...notes,
  ];
  const done = (ok: boolean, lines: string[]) => ({ ok, message: lines.join('\n'), total });
  if (total > 0) return done(true, [t.success(counts), ...around(true, failureLines(state, spec.verb))]);
  if (entries.length === 0 && folders.length > 0) {
    // The folder was missing in every mailbox that exists: that is the failure to report.
    if (spec.folderFailure === 'line') return done(false, [...folders, ...around(false, failureLines(state, spec.verb))]);
    if (state.failed.length === 0) return done(false, [t.error(folders.join('; ')), ...around(false, [])]);
  }
  if (entries.length === 0 && state.failed.length > 0) {
    // The error message already names every failed mailbox.
    return done(false, [t.error(failedReasons(state)), ...around(true, skippedLine(state))]);
  }
  const head = t.noEmailsFound();
  return done(spec.noEmailsFound === 'success', [head, ...around(true, failureLines(state, spec.verb))]);
}
