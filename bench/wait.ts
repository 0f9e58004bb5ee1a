/**
 * npm run bench:wait [-- --busy N] [--polls P] [--arrivals A]
 *
 * Wait For Vote Email Results polling a busy shared mailbox: after the vote is sent, N (default
 * 3000) other emails reach the SOC Inbox, then A (default 50) more before each of P (default 20)
 * polls, one every 15 minutes of simulated time (the action's clock and the emails' received
 * times are simulated; nothing sleeps); the two recipients answer before the last poll. Measured
 * side by side in one run, on one emulator (demo tenant, HTTP, in-process):
 *   - ours: each poll continues each folder's delta round where the previous one stopped;
 *   - baseline: the same action with the scan progress dropped from the state before each poll,
 *     so every poll reads the Inbox from the sent time again (a poll without memory);
 *   - naive: what a poll without memory that reads every message in full costs (the Inbox from
 *     the sent time, bodies and headers, 100 a page, as our first version did), reading only.
 * Prints one JSON line: Graph requests and seconds per mode, and whether both read the same votes.
 */
import { startEmulator } from '../emulator/index.ts';
import { sendVoteEmail } from '../src/actions/send-vote-email.ts';
import { waitForVoteEmailResults } from '../src/actions/wait-for-vote-email-results.ts';
import { configForEmulator } from '../src/cli/emulator-config.ts';
import { createGraphClient } from '../src/graph/client.ts';
import type { ResultDocument } from '../src/soar/result.ts';
import { runAction } from '../src/soar/runtime.ts';

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`--${name} must be a whole number`);
  return v;
}
const busy = intArg('busy', 3000);
const polls = Math.max(1, intArg('polls', 20));
const arrivals = intArg('arrivals', 50);

const SOC = 'soc@contoso.example';
const VOTERS = ['alice.martin@contoso.example', 'bob.keller@contoso.example'];
const emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true, throttle: false });
const admin = async (method: string, path: string, body?: string, type = 'application/json') => {
  const res = await fetch(`${emu.url}/_emulator${path}`, { method, headers: { 'content-type': type }, body });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as unknown;
};
const POLL_MS = 15 * 60_000;
let n = 0;
const deliver = (raw: string, atMs: number) =>
  admin('POST', `/users/${encodeURIComponent(SOC)}/messages?folder=Inbox&receivedDateTime=${encodeURIComponent(new Date(atMs).toISOString())}`, raw, 'message/rfc822');
/** `count` other emails, received evenly over (fromMs, toMs]. */
const deliverNoise = async (count: number, fromMs: number, toMs: number) => {
  for (let i = 1; i <= count; i++) {
    n++;
    const raw = `From: newsletter${n % 97}@vendor.example\r\nTo: ${SOC}\r\nSubject: Weekly digest ${n}\r\nMessage-ID: <noise.${n}@vendor.example>\r\nContent-Type: text/plain\r\n\r\n${'Lorem ipsum dolor sit amet. '.repeat(40)}\r\n`;
    await deliver(raw, fromMs + Math.round(((toMs - fromMs) * i) / count));
  }
};
const requests = async () => ((await admin('GET', '/requests')) as { total: number }).total;

try {
  const config = configForEmulator(emu.info, { 'Verify SSL': false });
  const deps = { createGraph: createGraphClient };
  // Sent for real (its sent time is the emulator's now); what follows runs on simulated time.
  const vote = await runAction(sendVoteEmail, { config, params: { 'Send From': SOC, Subject: 'Purge the phish?', 'Send to': VOTERS.join(', '), 'Mail Content': 'Please vote.', 'Structure of voting options': 'Approve/Reject', 'Attachment Location': 'Local File System' } }, deps);
  if (!vote.is_success) throw new Error(vote.output_message);
  const sent = vote.json_result as { id: string; internetMessageId: string };
  const params = { 'Vote Mail Sent From': SOC, 'Mail ID': sent.id };
  const t0 = Date.now();
  let now = t0;
  const clock = { now: () => now, sleep: async () => undefined };
  await deliverNoise(busy, t0, t0 + POLL_MS - 1000);

  const modes = { ours: { state: null as unknown, requests: 0, ms: 0, last: null as ResultDocument | null }, baseline: { state: null as unknown, requests: 0, ms: 0, last: null as ResultDocument | null } };
  const naive = createGraphClient({ loginEndpoint: emu.info.loginEndpoint, graphEndpoint: emu.info.graphEndpoint, tenant: emu.info.tenantId, clientId: emu.info.clientId, clientSecret: emu.info.clientSecret });
  let naiveMs = 0;
  let naiveRequests = 0;
  for (let p = 0; p < polls; p++) {
    now = t0 + (p + 1) * POLL_MS;
    if (p > 0) await deliverNoise(arrivals, now - POLL_MS, now - 1000);
    if (p === polls - 1) {
      // Both recipients answer a minute before the last poll, threaded to the vote.
      for (const [i, voter] of VOTERS.entries()) {
        const raw = `From: ${voter}\r\nTo: ${SOC}\r\nSubject: RE: Purge the phish?\r\nIn-Reply-To: ${sent.internetMessageId}\r\nReferences: ${sent.internetMessageId}\r\nMessage-ID: <answer.${i}@contoso.example>\r\nContent-Type: text/plain\r\n\r\n${i === 0 ? 'Approve' : 'Reject'}\r\n`;
        await deliver(raw, now - 60_000);
      }
    }
    {
      await admin('DELETE', '/requests');
      const started = performance.now();
      const query = { $filter: `receivedDateTime ge ${new Date(Math.floor(t0 / 1000) * 1000 - 60_000).toISOString().replace('.000Z', 'Z')}`, $orderby: 'receivedDateTime asc', $select: 'id,internetMessageId,subject,receivedDateTime,conversationId,from,toRecipients,ccRecipients,hasAttachments,body,internetMessageHeaders', $top: 100 };
      for await (const _ of naive.paginate(`/users/${SOC}/mailFolders/inbox/messages`, { query, mailbox: SOC })) void _;
      naiveMs += performance.now() - started;
      naiveRequests += await requests();
    }
    for (const [name, m] of Object.entries(modes)) {
      let state = m.state;
      if (name === 'baseline' && state) {
        const s = state as { data: Record<string, unknown> };
        state = { ...s, data: { ...s.data, scan: undefined } };
      }
      await admin('DELETE', '/requests');
      const started = performance.now();
      const doc = await runAction(waitForVoteEmailResults, { config, params, state }, { ...deps, clock });
      m.ms += performance.now() - started;
      m.requests += await requests();
      m.last = doc;
      m.state = doc.state;
    }
  }
  const votes = (d: ResultDocument | null) => JSON.stringify((d?.json_result as { Responses?: Array<{ recipient: string; vote: string }> } | null)?.Responses?.map((r) => [r.recipient, r.vote]) ?? []);
  const round = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(
    JSON.stringify({
      busy_emails: busy,
      polls,
      arrivals_per_poll: arrivals,
      ours_requests: modes.ours.requests,
      ours_seconds: round(modes.ours.ms / 1000),
      baseline_requests: modes.baseline.requests,
      baseline_seconds: round(modes.baseline.ms / 1000),
      requests_ratio: round(modes.baseline.requests / Math.max(1, modes.ours.requests)),
      speedup: round(modes.baseline.ms / Math.max(1, modes.ours.ms)),
      naive_requests: naiveRequests,
      naive_seconds: round(naiveMs / 1000),
      naive_speedup: round(naiveMs / Math.max(1, modes.ours.ms)),
      ours_final: modes.ours.last?.execution_state,
      baseline_final: modes.baseline.last?.execution_state,
      same_votes: votes(modes.ours.last) === votes(modes.baseline.last),
      votes: JSON.parse(votes(modes.ours.last)),
    }) + '\n',
  );
  await naive.close();
} finally {
  await emu.close();
}
