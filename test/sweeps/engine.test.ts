/** The mailbox-batch engine on its own: batching, state round trip, failures, run-wide stops. */
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.ts';
import { mailboxList } from '../../src/mail/mailboxes.ts';
import { sweepStep } from '../../src/sweep/action.ts';
import { inChunks, type FailedMailbox, type MailboxVerdict, type SweepState } from '../../src/sweep/engine.ts';
import { renderPerMailbox } from '../../src/sweep/report.ts';
import { defineAction, failed, inProgress, succeeded } from '../../src/soar/action.ts';
import type { SavedState } from '../../src/soar/async.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { runAction } from '../../src/soar/runtime.ts';
import { baseConfig, fakeGraph } from '../soar/fake-graph.ts';

const BATCH = 'How many mailboxes to process in a single batch';

function testAction(process: (batch: string[]) => Promise<Map<string, MailboxVerdict<number>>>, seen: string[][], grantedBy?: string[]) {
  return defineAction({
    name: 'Sweep Test',
    description: '',
    async: true,
    entities: 'none',
    betaApi: false,
    params: [
      { name: 'Mailboxes', required: true, default: null, type: 'string', options: null, format: 'addresses', description: '' },
      { name: BATCH, required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1, description: '' },
    ],
    messages: { error: 'Failed: {ERROR_REASON}' },
    async run(ctx) {
      const step = await sweepStep<number, typeof ctx.action.messages>(ctx, {
        mailboxParam: 'Mailboxes',
        processBatch: async (b) => {
          seen.push(b);
          return process(b);
        },
        grantedBy,
      });
      if (!step.finished) return inProgress(`at ${step.state.cursor}`, step.state);
      const s = step.state;
      const summary = JSON.stringify({ results: s.results, missing: s.missing, failed: s.failed, skipped: s.skipped, nf: s.folderNotFound });
      return s.failed.length > 0 ? failed(summary) : succeeded(summary);
    },
  });
}

/** What the test action's message holds (the sweep state's verdicts, as JSON). */
interface Summary {
  results: Record<string, number>;
  missing: string[];
  failed: FailedMailbox[];
  skipped: string[];
  nf: Record<string, string[]>;
}

function summaryOf(doc: ResultDocument): Summary {
  return JSON.parse(doc.output_message);
}

async function runAll(def: ReturnType<typeof testAction>, params: Record<string, string>, roles: string[] = []) {
  const docs = [];
  let state: unknown = null;
  for (;;) {
    const doc = await runAction(def, { config: baseConfig, params, state }, { createGraph: () => fakeGraph({}, { roles }) });
    docs.push(doc);
    if (doc.execution_state !== 'IN_PROGRESS') return docs;
    state = doc.state;
  }
}

describe('mailboxList', () => {
  it('trims, dedupes case-insensitively and maps Default Mailbox', () => {
    expect(mailboxList(' a@x , A@X,b@x,, default mailbox', 'soc@x')).toEqual(['a@x', 'b@x', 'soc@x']);
    // Only separators: stays empty (a required parameter then fails) unless the parameter may fall back.
    expect(mailboxList(' , ', 'soc@x')).toEqual([]);
    expect(mailboxList([], 'soc@x', { emptyMeansDefault: true })).toEqual(['soc@x']);
    expect(mailboxList(['a@x, b@x', 'B@x'])).toEqual(['a@x', 'b@x']);
  });
});

describe('sweepStep', () => {
  it('processes one batch per invocation, each mailbox exactly once, and keeps every outcome', async () => {
    const seen: string[][] = [];
    const def = testAction(async (b) => new Map(b.map((m): [string, MailboxVerdict<number>] => [
      m,
      m.startsWith('gone') ? { kind: 'missing' } : m.startsWith('nofolder') ? { kind: 'folderNotFound', which: 'Folder Name' } : { kind: 'done', result: m.length },
    ])), seen);
    const docs = await runAll(def, { Mailboxes: 'a@x,gone@x,b@x,nofolder@x,c@x', [BATCH]: '2' });
    expect(docs.map((d) => d.execution_state)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    expect(seen).toEqual([['a@x', 'gone@x'], ['b@x', 'nofolder@x'], ['c@x']]);
    expect(JSON.parse(docs[2].output_message)).toEqual({
      results: { 'a@x': 3, 'b@x': 3, 'c@x': 3 }, missing: ['gone@x'], failed: [], skipped: [], nf: { 'Folder Name': ['nofolder@x'] },
    });
  });

  it('names a failing mailbox and goes on; stops the run on an error that would hit every mailbox', async () => {
    const seen: string[][] = [];
    const def = testAction(async (b) => {
      if (b.includes('c@x')) throw new GraphError({ status: 401, code: 'InvalidAuthenticationToken', message: 'Token rejected.' });
      return new Map(b.map((m): [string, MailboxVerdict<number>] => [m, m === 'a@x' ? { kind: 'failed', reason: 'boom', code: 'X' } : { kind: 'done', result: 1 }]));
    }, seen);
    const docs = await runAll(def, { Mailboxes: 'a@x,b@x,c@x,d@x,e@x,f@x', [BATCH]: '2' });
    expect(seen).toEqual([['a@x', 'b@x'], ['c@x', 'd@x']]);
    const last = summaryOf(docs[docs.length - 1]);
    expect(last.failed).toEqual([
      { mailbox: 'a@x', reason: 'boom', code: 'X' },
      { mailbox: 'c@x', reason: 'Token rejected.', code: 'InvalidAuthenticationToken' },
      { mailbox: 'd@x', reason: 'Token rejected.', code: 'InvalidAuthenticationToken' },
    ]);
    expect(last.skipped).toEqual(['e@x', 'f@x']);
  });

  it('never reprocesses a mailbox a state already records as done', async () => {
    const seen: string[][] = [];
    const def = testAction(async (b) => new Map(b.map((m): [string, MailboxVerdict<number>] => [m, { kind: 'done', result: 1 }])), seen);
    const first = await runAction(def, { config: baseConfig, params: { Mailboxes: 'a@x,b@x,c@x', [BATCH]: '2' } }, { createGraph: () => fakeGraph({}) });
    // The continuation data is opaque (`unknown`) to the runtime by design; the test edits it on purpose.
    const tampered = structuredClone(first.state) as SavedState & { data: SweepState<number> };
    tampered.data.cursor = 0;
    const again = await runAction(def, { config: baseConfig, params: { Mailboxes: 'a@x,b@x,c@x', [BATCH]: '2' }, state: tampered }, { createGraph: () => fakeGraph({}) });
    expect(seen).toEqual([['a@x', 'b@x']]);
    expect(again.execution_state).toBe('IN_PROGRESS');
  });

  it('rejects a foreign state and a bad batch size naming the parameter', async () => {
    const def = testAction(async () => new Map(), []);
    const bad = await runAction(def, { config: baseConfig, params: { Mailboxes: 'a@x', [BATCH]: '-1' } }, { createGraph: () => fakeGraph({}) });
    expect(bad.output_message).toContain(`"${BATCH}"`);
    const foreign = await runAction(def, {
      config: baseConfig, params: { Mailboxes: 'a@x' },
      state: { format: 'msgraph-mail/action-state@1', action: 'Sweep Test', started_at: 1, invocation: 1, data: { cursor: 'x' } },
    }, { createGraph: () => fakeGraph({}) });
    expect(foreign.output_message).toMatch(/^Failed: The saved state is not a mailbox sweep state/);
  });
});

describe('renderPerMailbox', () => {
  it('repeats the MAILBOX: COUNT part of a documented template', () => {
    expect(renderPerMailbox('Done in: {MAILBOX}: {N}', 'MAILBOX', 'N', [['a', 1], ['b', 2]])).toBe('Done in: a: 1, b: 2');
  });
});

describe('inChunks', () => {
  it('runs chunks of at most 20 mailboxes concurrently and merges their results', async () => {
    const boxes = Array.from({ length: 45 }, (_, i) => `m${i}@x`);
    const sizes: number[] = [];
    let running = 0;
    let peak = 0;
    const out = await inChunks<number>(boxes, async (chunk) => {
      sizes.push(chunk.length);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return new Map(chunk.map((m): [string, MailboxVerdict<number>] => [m, { kind: 'done', result: m.length }]));
    });
    expect(sizes).toEqual([20, 20, 5]);
    expect(peak).toBe(3);
    expect([...out.keys()]).toEqual(boxes);
  });

  it('fails only the mailboxes of a chunk that throws and keeps what the other chunks did', async () => {
    const boxes = Array.from({ length: 45 }, (_, i) => `m${i}@x`);
    const out = await inChunks<number>(boxes, async (chunk) => {
      if (chunk[0] === 'm20@x') throw new GraphError({ status: 503, code: 'ServiceUnavailable', message: 'Down.' });
      return new Map(chunk.map((m): [string, MailboxVerdict<number>] => [m, { kind: 'done', result: 1 }]));
    });
    expect(out.size).toBe(45);
    const kinds = boxes.map((m) => out.get(m)!.kind);
    expect(kinds.filter((k) => k === 'done')).toHaveLength(25);
    expect(boxes.slice(20, 40).map((m) => out.get(m))).toEqual(
      Array(20).fill({ kind: 'failed', reason: 'Down.', code: 'ServiceUnavailable', status: 503 }),
    );
  });
});

describe('run-wide errors reported as outcomes', () => {
  const denied = { kind: 'failed', reason: 'Access is denied.', code: 'ErrorAccessDenied', status: 403 } as const;
  const outcomes = (b: string[], pick: (m: string) => MailboxVerdict<number>) => new Map(b.map((m): [string, MailboxVerdict<number>] => [m, pick(m)]));

  it('stops when every mailbox of a batch failed with 401 / TLS / proxy errors, naming the rest as skipped', async () => {
    for (const failure of [
      { kind: 'failed', reason: 'Token rejected.', code: 'InvalidAuthenticationToken', status: 401 },
      { kind: 'failed', reason: 'TLS certificate not trusted.', code: 'TlsError', status: 0 },
      { kind: 'failed', reason: 'Proxy refused.', code: 'ProxyError', status: 0 },
    ] as const) {
      const seen: string[][] = [];
      const def = testAction(async (b) => outcomes(b, (m) => (m === 'a@x' || m === 'b@x' ? { kind: 'done', result: 1 } : failure)), seen);
      const docs = await runAll(def, { Mailboxes: 'a@x,b@x,c@x,d@x,e@x,f@x', [BATCH]: '2' });
      expect(seen, failure.code).toEqual([['a@x', 'b@x'], ['c@x', 'd@x']]);
      const last = summaryOf(docs[docs.length - 1]);
      expect(last.failed.map((f) => f.mailbox)).toEqual(['c@x', 'd@x']);
      expect(last.skipped).toEqual(['e@x', 'f@x']);
    }
  });

  it('stops on a batch of 403s only while no mailbox of the run has shown the permission working', async () => {
    const seen: string[][] = [];
    const first = testAction(async (b) => outcomes(b, () => denied), seen);
    const stopped = summaryOf((await runAll(first, { Mailboxes: 'a@x,b@x,c@x,d@x', [BATCH]: '2' })).at(-1)!);
    expect(seen).toEqual([['a@x', 'b@x']]);
    expect(stopped.skipped).toEqual(['c@x', 'd@x']);
    // After a success, 403s are an access policy scoping some mailboxes out: go on.
    const later: string[][] = [];
    const policy = testAction(async (b) => outcomes(b, (m) => (m === 'a@x' ? { kind: 'done', result: 1 } : denied)), later);
    const done = summaryOf((await runAll(policy, { Mailboxes: 'a@x,b@x,c@x,d@x,e@x', [BATCH]: '2' })).at(-1)!);
    expect(later).toEqual([['a@x', 'b@x'], ['c@x', 'd@x'], ['e@x']]);
    expect(done.skipped).toEqual([]);
  });

  it('takes 403s for an access policy, not a missing permission, when the token holds a role that grants the action', async () => {
    const run = async (roles: string[]) => {
      const seen: string[][] = [];
      const def = testAction(async (b) => outcomes(b, (m) => (m === 'a@x' || m === 'b@x' ? denied : { kind: 'done', result: 1 })), seen, ['Mail.ReadWrite']);
      const last = summaryOf((await runAll(def, { Mailboxes: 'a@x,b@x,c@x,d@x', [BATCH]: '2' }, roles)).at(-1)!);
      return { seen, last };
    };
    const policy = await run(['User.Read.All', 'mail.readwrite']);
    expect(policy.seen).toEqual([['a@x', 'b@x'], ['c@x', 'd@x']]);
    expect(policy.last.skipped).toEqual([]);
    expect(policy.last.failed.map((f) => [f.mailbox, f.code])).toEqual([['a@x', 'ErrorAccessDenied'], ['b@x', 'ErrorAccessDenied']]);
    expect(policy.last.failed[0].reason).toBe(
      'The app holds the Mail.ReadWrite application permission, yet Exchange refused this mailbox: an application access policy ' +
        '(or an RBAC for Applications scope) keeps the app out of it; an Exchange administrator can include it ' +
        '(Test-ApplicationAccessPolicy, or Test-ServicePrincipalAuthorization for RBAC for Applications, shows the verdict). Access is denied.',
    );
    // The token lacks the role: a missing permission, which stops the run.
    const missing = await run(['Mail.Read', 'User.Read.All']);
    expect(missing.seen).toEqual([['a@x', 'b@x']]);
    expect(missing.last.skipped).toEqual(['c@x', 'd@x']);
    expect(missing.last.failed[0].reason).toBe('Access is denied.');
  });

  it('goes on when a failure in the batch is not run-wide or a mailbox of the batch succeeded', async () => {
    const seen: string[][] = [];
    const def = testAction(async (b) => outcomes(b, (m) => (m === 'a@x' ? { kind: 'failed', reason: 'Down.', code: 'ServiceUnavailable', status: 503 } : m === 'c@x' ? { kind: 'done', result: 1 } : denied)), seen);
    await runAll(def, { Mailboxes: 'a@x,b@x,c@x,d@x,e@x', [BATCH]: '2' });
    expect(seen).toEqual([['a@x', 'b@x'], ['c@x', 'd@x'], ['e@x']]);
  });
});
