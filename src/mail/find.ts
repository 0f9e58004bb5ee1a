/**
 * The one finder of the sweeps and the email-content actions: resolve the folder path in every
 * mailbox of a batch (one `$batch` per path level, none for a bare well-known name), then find the
 * messages named by `Mail IDs` (which win over Subject / Sender filters) or matching the search
 * criteria: one `$batch` for all first lookups, then one per page depth. Every mailbox comes to
 * one MailboxVerdict.
 */
import type { BatchItem, BatchItemResult, GraphClient } from '../graph/types.ts';
import { folderPath, resolveFolders, type FolderCache, type ResolvedFolder } from './folders.ts';
import { lookupItem, parseLookup, type FieldSelection, type GraphMessage, type MailId, type MailIdMatch, type MessageOf } from './mail-ids.ts';
import { classifyResult } from './mailboxes.ts';
import { drainPages } from './pages.ts';
import { searchMailboxes, type SearchCriteria } from './search.ts';
import type { MessageField, SelectedFolder } from './shapes.ts';
import { verdictOfFailure, type MailboxVerdict } from './verdict.ts';

export interface FindTarget {
  mailbox: string;
  folder: ResolvedFolder | null;
}

/** `S`: the fields to read (see MessageOf); the found messages are typed by it. */
export interface FindRequest<S extends FieldSelection | undefined = undefined> {
  /** When non-empty, these ids are looked up and the Subject / Sender filters are ignored. */
  ids: readonly MailId[];
  criteria: SearchCriteria;
  now: Date;
  select?: S;
  max?: number | null;
}

/** What the finder found in one mailbox. */
export interface Found<M = GraphMessage> {
      /** Distinct messages (by Graph id), newest lookups first as Graph returned them. */
      messages: M[];
      /** Mail IDs (as the user wrote them) that matched nothing here. */
      unmatchedIds: string[];
      /**
       * Per Mail ID in input order, the messages it matched here (after the Time Frame / Only
       * Unread checks); empty for a criteria search. Kept because Graph may spell an id other
       * than the user did, so matching the messages back to ids afterwards would not be safe.
       */
      matches: MailIdMatch<M>[];
}

export type FindOutcome<M = GraphMessage> = MailboxVerdict<Found<M>>;

/**
 * With Mail IDs the documented filters that still apply are Time Frame and Only Unread: they are
 * checked on the found messages (both fields are in the default selection).
 */
function passesIdFilters(m: GraphMessage, c: SearchCriteria, now: Date): boolean {
  if (c.onlyUnread && m.isRead === true) return false;
  if (c.timeFrameMinutes) {
    const received = Date.parse(String(m.receivedDateTime ?? ''));
    if (!Number.isFinite(received) || received < now.getTime() - c.timeFrameMinutes * 60_000) return false;
  }
  return true;
}

/** What the finder itself reads of a message found by Mail ID (besides what the caller selected). */
const ID_LOOKUP_FIELDS = ['id', 'internetMessageId', 'isRead', 'receivedDateTime', 'parentFolderId'] as const satisfies readonly MessageField[];

function withIdFields(select: FieldSelection | undefined): FieldSelection | undefined {
  if (select === undefined || select === 'all') return select;
  return [...new Set([...select, ...ID_LOOKUP_FIELDS])];
}

/** `GET mailFolders/{id or wellKnownName}?$select=id`: the folder's id as Graph spells it. */
function folderIdItem(mailbox: string, folder: ResolvedFolder): BatchItem {
  return { method: 'GET', url: `${folderPath(mailbox, folder)}?$select=id`, mailbox };
}

/** The answer of `folderIdItem` (a mixed `$batch` answers each item with its own shape). */
function folderIdOf(result: BatchItemResult): string | undefined {
  const r = classifyResult(result as BatchItemResult<SelectedFolder>, 'item');
  return r.kind === 'ok' && typeof r.body?.id === 'string' ? r.body.id : undefined;
}

/** The messages of `req` in each target folder, typed by what `req.select` reads. */
export async function findInMailboxes<const S extends FieldSelection | undefined = undefined>(
  graph: GraphClient,
  targets: readonly FindTarget[],
  req: FindRequest<S>,
): Promise<Map<string, FindOutcome<MessageOf<S>>>> {
  // Graph answers with the fields `select` names (findAll reads at least those): the one place they get their type.
  return (await findAll(graph, targets, req)) as Map<string, FindOutcome<MessageOf<S>>>;
}

async function findAll(graph: GraphClient, targets: readonly FindTarget[], req: FindRequest<FieldSelection | undefined>): Promise<Map<string, FindOutcome>> {
  if (req.ids.length === 0) {
    const res = await searchMailboxes(graph, targets, req.criteria, { now: req.now, select: req.select, max: req.max });
    const out = new Map<string, FindOutcome>();
    for (const [m, r] of res) out.set(m, r.kind === 'done' ? { kind: 'done', result: { messages: r.result.messages, unmatchedIds: [], matches: [] } } : r);
    return out;
  }
  const select = withIdFields(req.select);
  const jobs = targets.flatMap((t) => req.ids.map((id) => ({ t, id })));
  // Graph may answer a Graph-id lookup under mailFolders/{folder} for a message in any folder, so
  // each found message's parentFolderId is checked against the folder's id. A folder given by a
  // well-known name is first read for its id: one GET per mailbox, in the same $batch stage as
  // the lookups (no longer chain of requests).
  const checkFolder = req.ids.some((id) => id.kind === 'graph');
  const folderJobs = checkFolder ? targets.filter((t) => t.folder?.wellKnownName !== undefined) : [];
  const results = await graph.batch([
    ...jobs.map((j) => lookupItem(j.t.mailbox, j.t.folder, j.id, select)),
    ...folderJobs.map((t) => folderIdItem(t.mailbox, t.folder!)),
  ]);
  const failedBox = new Map<string, FindOutcome>();
  const folderIds = new Map<string, string>();
  for (const t of targets) if (t.folder && !t.folder.wellKnownName) folderIds.set(t.mailbox, t.folder.id);
  folderJobs.forEach((t, i) => {
    const r = classifyResult(results[jobs.length + i] as BatchItemResult<SelectedFolder>, 'item');
    if (r.kind === 'ok' && typeof r.body?.id === 'string') folderIds.set(t.mailbox, r.body.id);
    else if (r.kind === 'notFound') failedBox.set(t.mailbox, { kind: 'folderNotFound' });
    else if (r.kind !== 'ok') failedBox.set(t.mailbox, verdictOfFailure(r));
  });
  const perId = new Map<string, GraphMessage[]>();
  const pages: Array<{ key: string; mailbox: string; link: string }> = [];
  /** Graph-id hits whose parentFolderId is spelled unlike the folder's id: same folder, or elsewhere? */
  const unsure: Array<{ key: string; mailbox: string; parentFolderId: string; message: GraphMessage }> = [];
  jobs.forEach((j, i) => {
    const key = String(i);
    const o = parseLookup(j.id, j.t.folder, results[i]);
    if (o.kind === 'found' && j.id.kind === 'graph' && j.t.folder) {
      const m = o.messages[0];
      const folderId = folderIds.get(j.t.mailbox);
      perId.set(key, []);
      if (folderId !== undefined && m.parentFolderId === folderId) perId.set(key, [m]);
      else if (folderId !== undefined && typeof m.parentFolderId === 'string') unsure.push({ key, mailbox: j.t.mailbox, parentFolderId: m.parentFolderId, message: m });
    } else if (o.kind === 'found') {
      perId.set(key, [...o.messages]);
      if (o.nextLink) pages.push({ key, mailbox: j.t.mailbox, link: o.nextLink });
    } else if (o.kind === 'notFound') {
      perId.set(key, []);
    } else if (!failedBox.has(j.t.mailbox) || o.kind === 'missing') {
      // One verdict per mailbox; "missing" outranks a failure seen on another id.
      failedBox.set(j.t.mailbox, o.kind === 'folderNotFound' ? { kind: 'folderNotFound' } : verdictOfFailure(o));
    }
  });
  if (unsure.length > 0) {
    // Ids are opaque and Exchange has more than one spelling of a folder's id (AAMk / AQMk forms):
    // read both folders the same way (GET mailFolders/{id}?$select=id) and compare those answers.
    const targetOf = new Map(targets.map((t) => [t.mailbox, t.folder!]));
    const boxes = [...new Set(unsure.map((u) => u.mailbox))];
    const answers = await graph.batch([
      ...unsure.map((u) => folderIdItem(u.mailbox, { id: u.parentFolderId, displayName: '', path: '' })),
      ...boxes.map((m) => folderIdItem(m, { ...targetOf.get(m)!, id: folderIds.get(m)! })),
    ]);
    const target = new Map(boxes.map((m, i) => [m, folderIdOf(answers[unsure.length + i])]));
    unsure.forEach((u, i) => {
      const spelled = folderIdOf(answers[i]);
      if (spelled !== undefined && spelled === target.get(u.mailbox)) perId.set(u.key, [u.message]);
    });
  }
  const pageFailures = await drainPages<GraphMessage>(graph, pages, (key, items) => {
    perId.get(key)!.push(...items.filter((m) => typeof m?.id === 'string'));
    return true;
  });
  for (const [key, f] of pageFailures) {
    const mailbox = jobs[Number(key)].t.mailbox;
    if (!failedBox.has(mailbox)) failedBox.set(mailbox, verdictOfFailure(f));
  }
  const out = new Map<string, FindOutcome>();
  for (const t of targets) {
    const bad = failedBox.get(t.mailbox);
    if (bad) {
      out.set(t.mailbox, bad);
      continue;
    }
    out.set(t.mailbox, { kind: 'done', result: { messages: [], unmatchedIds: [], matches: [] } });
  }
  jobs.forEach((j, i) => {
    const v = out.get(j.t.mailbox)!;
    if (v.kind !== 'done') return;
    const o = v.result;
    const hits = (perId.get(String(i)) ?? []).filter((m) => passesIdFilters(m, req.criteria, req.now));
    o.matches.push({ mailId: j.id, messages: hits });
    if (hits.length === 0) o.unmatchedIds.push(j.id.input);
    for (const m of hits) if (!o.messages.some((x) => x.id === m.id)) o.messages.push(m);
  });
  return out;
}

export interface FindOptions {
  /** Folder resolutions already made (a sweep over many batches resolves each path once per mailbox). */
  cache?: FolderCache;
  /** The folder parameter a folderNotFound verdict names (e.g. `Source Folder Name`). */
  which?: string;
}

/**
 * The messages of `req` in every mailbox: in the folder path `folder`, resolved first, or anywhere
 * in the mailbox when it is null (the documented `Folder Name` is optional for Extract Data and
 * Save Email). Keyed by the mailbox as given, in the order given.
 */
export async function findMessages<const S extends FieldSelection | undefined = undefined>(
  graph: GraphClient,
  mailboxes: readonly string[],
  folder: string | null,
  req: FindRequest<S>,
  opts: FindOptions = {},
): Promise<Map<string, FindOutcome<MessageOf<S>>>> {
  const verdicts = new Map<string, FindOutcome<MessageOf<S>>>();
  const targets: FindTarget[] = [];
  if (folder === null) {
    // Without a folder every lookup addresses the mailbox, so no answer can read as "folder not found".
    for (const mailbox of mailboxes) targets.push({ mailbox, folder: null });
  } else {
    const folders = await resolveFolders(graph, mailboxes, folder, opts.cache);
    for (const m of mailboxes) {
      const f = folders.get(m)!;
      if (f.kind === 'done') targets.push({ mailbox: m, folder: f.result });
      else verdicts.set(m, f);
    }
  }
  const found = targets.length > 0 ? await findInMailboxes(graph, targets, req) : new Map<string, FindOutcome<MessageOf<S>>>();
  const out = new Map<string, FindOutcome<MessageOf<S>>>();
  for (const m of mailboxes) {
    const v = verdicts.get(m) ?? found.get(m)!;
    out.set(m, v.kind === 'folderNotFound' && opts.which !== undefined ? { kind: 'folderNotFound', which: opts.which } : v);
  }
  return out;
}
