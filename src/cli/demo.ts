/**
 * `npm start` / `msgraph-mail demo`: the phishing-response walkthrough against the embedded
 * Graph emulator (HTTPS, its own CA, demo tenant). It runs the real actions through the same
 * runtime as `msgraph-mail run`, so what it shows is what a playbook would get.
 */
import { configForEmulator } from './emulator-config.ts';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { findAction } from '../actions/index.ts';
import { createGraphClient } from '../graph/index.ts';
import type { Entity } from '../soar/action.ts';
import type { ResultDocument } from '../soar/result.ts';
import { runAction } from '../soar/runtime.ts';
import { renderResultAsText, tableWidth } from './format.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Alert } from '../connector/alert.ts';
import { parseConnectorConfig } from '../connector/params.ts';
import { runConnector } from '../connector/run.ts';

export interface DemoOptions {
  out?: { write(chunk: string): unknown };
  /** Seeded emulator to run against (tests); by default one is started and stopped here. */
  emulator?: RunningEmulator;
}

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  // Tables fit where they are printed: the terminal's width, else COLUMNS, else 120.
  const width = tableWidth(out as { isTTY?: boolean; columns?: number }, process.env);
  const emulator = opts.emulator ?? (await startEmulator({ seed: 'demo', quiet: true }));
  try {
    const { info } = emulator;
    say('msgraph-mail demo: phishing response against the local Microsoft Graph emulator');
    say(`  Graph + Entra: ${info.graphEndpoint} (HTTPS, certificate from ${info.caCertPath})`);
    say(`  tenant ${info.tenantId}, ${info.mailboxes.length} mailboxes, default mailbox ${info.defaultMailbox}`);
    say();

    // Verify SSL stays on: the client trusts the emulator's CA, for this client only.
    const ca = info.caCertPath ? await readFile(info.caCertPath, 'utf8') : undefined;
    const config = configForEmulator(info);
    type Params = Record<string, string>;
    const run = (name: string, entities: Entity[] = [], params: Params = {}, state: unknown = null, timeoutMs?: number): Promise<ResultDocument> => {
      const def = findAction(name);
      if (!def) throw new Error(`demo: action ${name} is not registered`);
      return runAction(def, { config, entities, params, state, timeoutMs }, { createGraph: createGraphClient, graphOptions: { ca } });
    };

    let ok = true;
    const walkStarted = performance.now();
    // One line per step for the closing summary: what ran, how it ended, how long it took.
    const lines: string[] = [];
    const note = (title: string, outcome: string, since: number) => lines.push(`${title}: ${outcome} (${((performance.now() - since) / 1000).toFixed(2)} s)`);
    const step = async (title: string, name: string, entities: Entity[] = [], params: Params = {}): Promise<ResultDocument> => {
      say(`== ${title}: ${name}`);
      const since = performance.now();
      const doc = await run(name, entities, params);
      ok &&= doc.is_success;
      note(`${title.replace(/:.*$/, '')} (${name})`, `${doc.execution_state.toLowerCase()}${doc.is_success ? '' : ', failed'}`, since);
      say(renderResultAsText(doc, { width }).trimEnd());
      say();
      return doc;
    };

    await step('1. Check the connection and the app permissions', 'Ping');

    const users: Entity[] = info.mailboxes.map((upn) => ({ type: 'User', identifier: upn }));
    const oof = await step('2. Who is out of office (and will not read the warning)?', 'Get Mailbox Account Out Of Facility Settings', users);
    const away = outOfOffice(oof.json_result);
    say(away.length ? `Out of office: ${away.join(', ')}` : 'Nobody is out of office.');
    say();

    // The report: an employee forwarded the phish as an attachment to the reports mailbox; the
    // connector turns it into an alert, as it would feed the SOAR.
    const reportsMailbox = info.mailboxes.find((m) => m.startsWith('phishing-reports@')) ?? info.defaultMailbox;
    say(`== 3. The connector ingests the employee's report: msgraph-mail connector --once (${reportsMailbox})`);
    const ingestStarted = performance.now();
    const alerts = await ingestReports(info, reportsMailbox, ca);
    note("3. The connector ingests the employee's report (msgraph-mail connector --once)", `${alerts.length} alert(s)`, ingestStarted);
    for (const a of alerts) say(alertSummary(a));
    say();
    const reportIds = alerts.map((a) => a.source_message_id);
    if (reportIds.length === 0) {
      say('No report found: nothing to investigate.');
      return 1;
    }
    const dissected = await step('4. Dissect the phish attached to the report', 'Extract Data From Attached EML', [], {
      'Search In Mailbox': reportsMailbox,
      'Folder Name': 'Inbox',
      'Mail IDs': reportIds[0],
      'Regex Map JSON': JSON.stringify({ urls: 'https?://[^\\s"<>]+' }),
    });
    const phish = firstExtracted(dissected.json_result);
    if (!phish) {
      say('The report carries no email to dissect.');
      return 1;
    }
    say(`Phish sender:  ${phish.from}`);
    say(`Phish subject: ${phish.subject}`);
    say(`URLs it carries: ${phish.urls.join(', ') || '(none)'}`);
    say();

    const everyMailbox = info.mailboxes.join(',');
    const found = await step('5. Find the phish in every mailbox', 'Search Emails', [], {
      'Search In Mailbox': everyMailbox,
      'Folder Name': 'Inbox',
      'Sender Filter': phish.sender,
      'Subject Filter': phish.subject,
    });
    const phishIds = internetMessageIds(found.json_result);
    if (phishIds.length === 0) {
      say('No copy of the phish found: nothing to purge.');
      return 1;
    }

    // The purge waits for the SOC lead's approval. The demo tenant's lead (Dana Lee, reached at
    // her alias soc-lead@) answers every new email "Approve" a moment later: the emulator's
    // auto-reply, a real threaded reply (CONTRACT.md §5).
    const domain = info.defaultMailbox.split('@')[1];
    const lead = { mailbox: `dana.lee@${domain}`, alias: `soc-lead@${domain}` };
    await emulatorAdmin(emulator.url, `/users/${encodeURIComponent(lead.mailbox)}/auto-reply`, { body: 'Approve', delaySeconds: 2 }, ca);
    const vote = await step(`6. Ask the SOC lead (${lead.alias}) to approve the purge`, 'Send Vote Email', [], {
      'Send From': info.defaultMailbox,
      Subject: `Approve purging "${phish.subject}" from every mailbox?`,
      'Send to': lead.alias,
      'Mail Content': `The phish from ${phish.sender} ("${phish.subject}") is in ${mailboxesWithHits(found.json_result)} mailboxes. Approve to delete every copy.`,
      'Structure of voting options': 'Approve/Reject',
      'Attachment Location': 'Local File System',
    });
    const voteId = (vote.json_result as { id?: string } | null)?.id;
    if (!voteId) {
      say('The vote email was not sent: nothing is purged.');
      return 1;
    }
    // Asynchronous, as a playbook runs it: one look per invocation, the state carried between them.
    say('== 7. Wait for the vote: Wait For Vote Email Results (one poll a second, 20 s timeout)');
    const waitStarted = performance.now();
    const waitParams = { 'Vote Mail Sent From': info.defaultMailbox, 'Mail ID': voteId, 'Folder to Check for Reply': 'Inbox' };
    let waited = await run('Wait For Vote Email Results', [], waitParams, null, 20_000);
    while (waited.execution_state === 'IN_PROGRESS') {
      say(`  ${waited.output_message}`);
      await new Promise((r) => setTimeout(r, 1000));
      waited = await run('Wait For Vote Email Results', [], waitParams, waited.state);
    }
    await emulatorAdmin(emulator.url, `/users/${encodeURIComponent(lead.mailbox)}/auto-reply`, { body: null }, ca);
    say(renderResultAsText(waited, { width }).trimEnd());
    say();
    const votes = ((waited.json_result as { Responses?: Array<{ recipient: string; vote: string; from: string }> } | null)?.Responses ?? []);
    note('7. Wait for the vote (Wait For Vote Email Results)', votes.length > 0 ? votes.map((v) => `${v.recipient}: ${v.vote}`).join(', ') : waited.execution_state.toLowerCase(), waitStarted);
    if (!waited.is_success || votes.length === 0 || votes.some((v) => v.vote !== 'Approve')) {
      say('The purge was not approved: nothing is deleted.');
      return 1;
    }
    say(`Approved by ${votes.map((v) => `${v.recipient} (answered from ${v.from})`).join(', ')}.`);
    say();

    // Delete Email is asynchronous: one batch of mailboxes per invocation, as a playbook would
    // run it; a batch of one mailbox makes the progress visible on this small tenant.
    say(`== 8. Purge it from every mailbox: Delete Email (Mail IDs = ${phishIds.join(', ')})`);
    const started = performance.now();
    const params = { 'Delete In Mailbox': everyMailbox, 'Folder Name': 'Inbox', 'Mail IDs': phishIds.join(','), 'How many mailboxes to process in a single batch': '1' };
    const total = info.mailboxes.length;
    let state: unknown = null;
    let done = 0;
    let doc: ResultDocument;
    for (;;) {
      doc = await run('Delete Email', [], params, state);
      done = Math.min(total, done + 1);
      out.write(`${progressBar(done, total)}\n`);
      if (doc.execution_state !== 'IN_PROGRESS') break;
      state = doc.state;
    }
    ok &&= doc.is_success;
    const seconds = (performance.now() - started) / 1000;
    say(renderResultAsText(doc, { width }).trimEnd());
    const purge = purgeSummary(doc.json_result);
    say();
    say(`Purge summary: ${purge.mailboxes} mailboxes cleaned, ${purge.emails} emails deleted, ${seconds.toFixed(2)} s.`);
    say();
    note('8. Purge it from every mailbox (Delete Email)', `${purge.emails} emails deleted in ${purge.mailboxes} mailboxes`, started);
    say('Summary:');
    for (const l of lines) say(`  ${l}`);
    say();
    say(`${ok ? 'Walkthrough finished' : 'Walkthrough finished with failures (see above)'} in ${((performance.now() - walkStarted) / 1000).toFixed(2)} s.`);
    return ok ? 0 : 1;
  } finally {
    if (!opts.emulator) await emulator.close();
  }
}

/** A call to the emulator's admin API (CONTRACT.md §5), trusting its CA as the client does. */
async function emulatorAdmin(base: string, route: string, body: unknown, ca: string | undefined): Promise<void> {
  const url = new URL(`/_emulator${route}`, base);
  const payload = Buffer.from(JSON.stringify(body));
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`emulator admin ${route}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** One connector cycle on the reports mailbox into a throw-away state dir; the alerts it committed. */
async function ingestReports(info: RunningEmulator['info'], mailbox: string, ca: string | undefined): Promise<Alert[]> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'msgraph-mail-demo-'));
  const alerts: Alert[] = [];
  try {
    const config = parseConnectorConfig({
      'Azure AD endpoint': info.loginEndpoint,
      'Microsoft Graph Endpoint': info.graphEndpoint,
      'Client ID': info.clientId,
      'Client Secret': info.clientSecret,
      'Tenant (Directory) ID': info.tenantId,
      'Mail Address': mailbox,
      'Mark Emails as Read': true,
    });
    await runConnector({
      config,
      stateDir,
      once: true,
      createGraph: createGraphClient,
      graphOptions: { ca },
      print: (line) => alerts.push(JSON.parse(line) as Alert),
      warn: () => undefined,
    });
    return alerts;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** An alert as a SOC analyst reads it first: name, when, who reported what, what is attached. */
function alertSummary(a: Alert): string {
  const [email, ...attached] = a.events;
  const pick = (e: Record<string, string> | undefined, suffix: string) => (e ? (Object.entries(e).find(([k]) => k.endsWith(suffix))?.[1] ?? '') : '');
  const lines = [
    `Alert "${a.name}" (ticket ${a.ticket_id}, priority ${a.priority}, ${new Date(a.start_time).toISOString()})`,
    `  reported by ${pick(email, '_from_emailAddress_address')}: "${pick(email, '_subject')}"`,
    ...attached.map((e) => `  attached email from ${pick(e, '_from_emailAddress_address')}: "${pick(e, '_subject')}"${pick(e, '_url_1') ? `, links ${pick(e, '_url_1')}` : ''}`),
    `  ${a.events.length} event(s), ${a.attachments.length} case attachment(s)`,
  ];
  return lines.join('\n');
}

function progressBar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} mailboxes`;
}

/** Sender, subject and URLs of the first email an Extract Data From Attached EML result holds. */
function firstExtracted(json: unknown): { from: string; sender: string; subject: string; urls: string[] } | undefined {
  const first = (Array.isArray(json) ? json : [])[0] as
    | { from?: unknown; subject?: unknown; regex?: { urls?: unknown }; regex_from_text_part?: { urls?: unknown } }
    | undefined;
  if (!first || typeof first.from !== 'string') return undefined;
  const sender = /[^\s<>"]+@[^\s<>"]+/.exec(first.from)?.[0] ?? first.from;
  const urls = [first.regex_from_text_part?.urls, first.regex?.urls].flatMap((u) => (Array.isArray(u) ? u : [])).filter((u): u is string => typeof u === 'string');
  return { from: first.from, sender, subject: typeof first.subject === 'string' ? first.subject : '', urls: [...new Set(urls)] };
}

/** The distinct internetMessageIds in a Search Emails JSON result. */
function internetMessageIds(json: unknown): string[] {
  const boxes = (json as { mailboxes?: Array<{ emails?: Array<{ internetMessageId?: unknown }> }> } | null)?.mailboxes ?? [];
  const ids = boxes.flatMap((b) => (b.emails ?? []).map((e) => e.internetMessageId)).filter((x): x is string => typeof x === 'string');
  return [...new Set(ids)];
}

/** How many mailboxes a Search Emails JSON result found emails in. */
function mailboxesWithHits(json: unknown): number {
  const boxes = (json as { mailboxes?: Array<{ emails?: unknown[] }> } | null)?.mailboxes ?? [];
  return boxes.filter((b) => (b.emails?.length ?? 0) > 0).length;
}

function purgeSummary(json: unknown): { mailboxes: number; emails: number } {
  const results = (json as { mailboxes?: Array<{ deleted?: unknown[] }> } | null)?.mailboxes ?? [];
  const cleaned = results.filter((r) => (r.deleted?.length ?? 0) > 0);
  return { mailboxes: cleaned.length, emails: cleaned.reduce((n, r) => n + (r.deleted?.length ?? 0), 0) };
}

function outOfOffice(json: unknown): string[] {
  if (!Array.isArray(json)) return [];
  return json
    .filter((r) => (r as { EntityResult?: { outOfOfficeSettings?: { isOutOfOffice?: boolean } } }).EntityResult?.outOfOfficeSettings?.isOutOfOffice)
    .map((r) => String((r as { Entity: unknown }).Entity));
}
