/**
 * One connector cycle, in the order that makes a crash at any instant harmless:
 *   read folders -> read each taken email's details -> map to alerts (overflow decided) ->
 *   COMMIT (alerts + cursors + seen ids + mark-read queue + outbox, one transaction) ->
 *   print new alerts -> mark emails as read -> deliver the webhook outbox.
 * Everything after the commit is idempotent and resumes from the database, so a kill there
 * repeats at most a print or a PATCH, never an alert.
 */
import type { GraphClient } from '../graph/types.ts';
import { reasonOf } from '../mail/verdict.ts';
import { alertsOf, type Alert, type FetchedEmail } from './alert.ts';
import { readDetails } from './details.ts';
import { EMAIL_SELECT, LOOKBACK_MS, readFolders, readFull, type Candidate } from './fetch.ts';
import { markPendingAsRead } from './mark-read.ts';
import { overflowRule } from './overflow.ts';
import type { ConnectorConfig } from './params.ts';
import type { ConnectorStore, CycleCommit, FolderAdvance, NewAlert, StoredAlert } from './store.ts';
import { deliverOutbox } from './webhook.ts';

export interface CycleDeps {
  graph: GraphClient;
  store: ConnectorStore;
  config: ConnectorConfig;
  now: () => number;
  /** One line of stdout (an alert as JSON). */
  print: (line: string) => void;
  /** Operator notes (stderr). */
  warn: (message: string) => void;
  /** Stop reading further emails once this instant is reached (Script Timeout). */
  deadlineMs: number;
  /** `--test-run`: read and map, print what would be committed, write nothing anywhere. */
  testRun?: boolean;
  /** Crash injection for tests: called at each step boundary with its name. */
  step?: (name: CycleStep) => void;
}

export type CycleStep = 'read' | 'details' | 'mapped' | 'committed' | 'printed' | 'marked' | 'delivered';

export interface CycleReport {
  fetched: number;
  alerts: number;
  overflowed: number;
  excluded: number;
  /** Emails left for the next cycle because the Script Timeout came near. */
  deferred: number;
  /** Listed, then deleted before it could be read. */
  gone: number;
  markedRead: number;
  webhookDelivered: number;
  errors: string[];
}

function excluded(config: ConnectorConfig, e: FetchedEmail): boolean {
  if (!config.excludeRegex) return false;
  const body = (e.message.body as { content?: string } | undefined)?.content ?? '';
  return config.excludeRegex.findAll(body, 1).length > 0 || config.excludeRegex.findAll(e.message.subject ?? '', 1).length > 0;
}

/** An alert for an email that could not be mapped: its error recorded, never dropped. */
function fallbackAlerts(e: FetchedEmail, config: ConnectorConfig, err: unknown): Alert[] {
  return alertsOf({ ...e, attachedMail: [], files: [], errors: [...e.errors, `mapping failed: ${reasonOf(err).reason}`] }, config);
}

export async function runCycle(d: CycleDeps): Promise<CycleReport> {
  const { config, store } = d;
  const report: CycleReport = { fetched: 0, alerts: 0, overflowed: 0, excluded: 0, deferred: 0, gone: 0, markedRead: 0, webhookDelivered: 0, errors: [] };
  const startMs = d.now();
  const firstRunFromMs = startMs - config.offsetHours * 3_600_000;

  // Finish what an earlier cycle committed but did not get to (a kill after the commit).
  if (!d.testRun) flushPrints(d);

  const cursors = store.cursors(config.folders);
  const select = config.headers.length > 0 ? [...EMAIL_SELECT, 'internetMessageHeaders'] : EMAIL_SELECT;
  const read = await readFolders(d.graph, config.mailbox, cursors, { max: config.maxEmailsPerCycle, firstRunFromMs, unreadOnly: config.unreadOnly });
  for (const f of read.folders) if (f.error) report.errors.push(f.error);
  d.step?.('read');

  // In full, then details, in order; past the deadline, or at an email that cannot be read, the
  // rest waits for the next cycle (only a prefix of the oldest-first list is committed, so the
  // cursor never passes an email left behind).
  const full = await readFull(d.graph, config.mailbox, read.taken, select);
  const done: FetchedEmail[] = [];
  let prefix = 0;
  for (const f of full) {
    if (d.now() >= d.deadlineMs) break;
    if ('error' in f) {
      report.errors.push(`email ${f.candidate.message.id} could not be read (${f.error}); it and the emails after it wait for the next cycle`);
      break;
    }
    prefix++;
    if ('gone' in f) {
      report.gone++;
      continue;
    }
    done.push(await readDetails(d.graph, config, f.candidate.folder, f.message, f.attachments));
  }
  report.fetched = done.length;
  report.deferred = read.taken.length - prefix;
  d.step?.('details');

  const isOverflow = config.disableOverflow || d.testRun ? () => false : overflowRule(store, startMs);
  const alerts: NewAlert[] = [];
  const markRead: CycleCommit['markRead'] = [];
  for (const e of done) {
    if (excluded(config, e)) {
      report.excluded++;
      continue;
    }
    let group: Alert[];
    try {
      group = alertsOf(e, config);
    } catch (err) {
      group = fallbackAlerts(e, config, err);
    }
    // The group follows its first alert (the received email), as the SOAR's connector does.
    const overflow = isOverflow(group[0]);
    for (const alert of group) alerts.push({ alert, overflow });
    if (overflow) report.overflowed++;
    else if (config.markAsRead) markRead.push({ id: e.message.id, folder: e.folder });
  }
  d.step?.('mapped');

  if (d.testRun) {
    for (const a of alerts) if (!a.overflow) d.print(JSON.stringify(a.alert));
    report.alerts = alerts.filter((a) => !a.overflow).length;
    return report;
  }

  const taken = read.taken.slice(0, prefix);
  const commit: CycleCommit = { nowMs: startMs, folders: advances(read.folders, taken, firstRunFromMs), alerts, markRead, toWebhook: config.webhook !== undefined };
  const stored = store.commitCycle(commit);
  report.alerts = stored.filter((s) => !s.overflow).length;
  d.step?.('committed');

  flushPrints(d);
  d.step?.('printed');

  if (config.markAsRead) {
    const r = await markPendingAsRead(d.graph, store, config.mailbox);
    report.markedRead = r.marked;
    if (r.failures.length > 0) report.errors.push(...r.failures);
  }
  d.step?.('marked');

  if (config.webhook) {
    const r = await deliverOutbox(store, { ...config.webhook, verifySsl: config.verifySsl }, d.now);
    report.webhookDelivered = r.delivered;
    if (r.failure) report.errors.push(r.failure);
  }
  d.step?.('delivered');
  return report;
}

function flushPrints(d: CycleDeps): StoredAlert[] {
  const pending = d.store.unprinted();
  for (const s of pending) d.print(JSON.stringify(s.alert));
  d.store.markPrinted(pending.map((s) => s.seq));
  return pending;
}

/** Each folder's new cursor: the newest email taken from it; a first run with nothing found starts at the offset, so the offset applies once. */
function advances(folders: Awaited<ReturnType<typeof readFolders>>['folders'], taken: Candidate[], firstRunFromMs: number): FolderAdvance[] {
  const out: FolderAdvance[] = [];
  for (const f of folders) {
    if (!f.folderId) continue;
    const mine = taken.filter((t) => t.folder === f.cursor.folder);
    const newest = Math.max(f.cursor.cursorMs ?? firstRunFromMs, ...mine.map((t) => t.receivedMs));
    if (mine.length === 0 && f.cursor.cursorMs !== null && f.cursor.folderId === f.folderId) continue;
    out.push({
      folder: f.cursor.folder,
      folderId: f.folderId,
      cursorMs: newest,
      taken: mine.map((t) => ({ id: t.message.id, receivedMs: t.receivedMs })),
      forgetBeforeMs: newest - LOOKBACK_MS,
    });
  }
  return out;
}
