import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.ts';
import { REDACTED } from '../../src/graph/redact.ts';
import { defineAction, failed, succeeded } from '../../src/soar/action.ts';
import { runUntilDone, takeBatch, unwrapState } from '../../src/soar/async.ts';
import { sweep } from './fake-actions.ts';
import { UsageError } from '../../src/soar/errors.ts';
import { documentedText, renderMessage } from '../../src/soar/messages.ts';
import { attachment, link, table } from '../../src/soar/result.ts';
import { runAction } from '../../src/soar/runtime.ts';
import { baseConfig, fakeClock, fakeGraph } from './fake-graph.ts';

describe('messages', () => {
  it('fills placeholders, joins lists, and keeps ordinary words that look like placeholders', () => {
    const t = 'Failed to find email with ID {ID} in {MAILBOX}.';
    expect(renderMessage(t, { ID: 'AAMk', MAILBOX: 'a@x' })).toBe('Failed to find email with ID AAMk in a@x.');
    expect(documentedText(t)).toBe('Failed to find email with ID ID in MAILBOX.');
    expect(renderMessage('Mailboxes: {LIST}', { LIST: ['a', 'b'] })).toBe('Mailboxes: a, b');
    expect(renderMessage('{A}', { A: '{B}', B: 'x' })).toBe('{B}');
    expect(() => renderMessage('{A} {B}', { A: 1 })).toThrow('B');
  });
});

describe('case wall builders', () => {
  it('build tables from objects or arrays, attachments as base64', () => {
    expect(table('T', ['A', 'B'], [{ A: 1, B: ['x', 'y'] }, ['p']])).toEqual({ title: 'T', columns: ['A', 'B'], rows: [['1', 'x, y'], ['p', '']] });
    expect(attachment('t', 'f.txt', 'hi')).toEqual({ title: 't', filename: 'f.txt', content_base64: 'aGk=' });
    expect(link('t', 'https://x')).toEqual({ title: 't', url: 'https://x' });
  });
});

const echo = defineAction({
  name: 'Echo Test',
  description: 'test',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [{ name: 'Mode', required: false, default: 'ok', type: 'string', options: null, description: '' }],
  messages: { success: 'Echo {WHAT}.', error: 'Failed to execute action, the error is: {ERROR_REASON}' },
  async run(ctx) {
    const mode = ctx.params.string('Mode');
    if (mode === 'graph') await ctx.graph.get('/users/x');
    if (mode === 'throw') throw new Error('boom with super-secret-value inside');
    if (mode === 'fail') return failed('nope');
    return succeeded(ctx.message('success', { WHAT: mode ?? '' }), { json_result: { mode } });
  },
});

describe('runAction', () => {
  it('produces the result document of a success without creating a Graph client', async () => {
    let created = 0;
    const doc = await runAction(echo, { config: baseConfig }, { createGraph: () => (created++, fakeGraph({})) });
    expect(doc).toEqual({
      action: 'Echo Test', is_success: true, execution_state: 'COMPLETED', output_message: 'Echo ok.',
      json_result: { mode: 'ok' }, case_wall: { tables: [], attachments: [], links: [] }, state: null,
    });
    expect(created).toBe(0);
  });

  it('turns thrown errors into the documented error message, scrubbing secrets, and closes the client', async () => {
    const g = fakeGraph({ 'GET v1.0 /users/x': new GraphError({ status: 401, code: 'invalid_client', message: 'AADSTS7000215: bad secret', parameter: 'Secret ID' }) });
    const doc = await runAction(echo, { config: baseConfig, params: { mode: 'graph' } }, { createGraph: () => g });
    expect(doc.is_success).toBe(false);
    expect(doc.execution_state).toBe('FAILED');
    expect(doc.output_message).toBe('Failed to execute action, the error is: AADSTS7000215: bad secret Check the "Secret ID" parameter.');
    expect(g.closed).toBe(true);
    const thrown = await runAction(echo, { config: baseConfig, params: { Mode: 'throw' } }, { createGraph: () => g });
    expect(thrown.output_message).toBe(`Failed to execute action, the error is: boom with ${REDACTED} inside`);
  });

  it('reports bad values and bad config as a failed action, unknown names as a usage error', async () => {
    const bad = await runAction(echo, { config: { ...baseConfig, Tenant: '' } }, { createGraph: () => fakeGraph({}) });
    expect(bad.output_message).toBe('Failed to execute action, the error is: Tenant is empty: set "Tenant" in the config file.');
    await expect(runAction(echo, { config: { ...baseConfig, Tenant: '' }, params: { Mdoe: 'x' } }, { createGraph: () => fakeGraph({}) }))
      .rejects.toThrow('Unknown parameter "Mdoe". Did you mean "Mode"?');
    const failedDoc = await runAction(echo, { config: baseConfig, params: { Mode: 'fail' } }, { createGraph: () => fakeGraph({}) });
    expect(failedDoc).toMatchObject({ is_success: false, execution_state: 'FAILED', output_message: 'nope', state: null });
  });
});

describe('async contract', () => {
  it('takeBatch walks a list and validates the size', () => {
    expect(takeBatch([1, 2, 3], 0, 2)).toEqual({ batch: [1, 2], next: 2 });
    expect(takeBatch([1, 2, 3], 2, 2)).toEqual({ batch: [3], next: null });
    expect(() => takeBatch([1], 0, 0)).toThrow(TypeError);
  });

  it('continues a run from the saved state and keeps the start time', async () => {
    const clock = fakeClock();
    const deps = { createGraph: () => fakeGraph({}), clock };
    const input = { config: baseConfig, params: { Items: 'a,b,c' } };
    const first = await runAction(sweep, input, deps);
    expect(first).toMatchObject({ is_success: true, execution_state: 'IN_PROGRESS', output_message: 'Processed 1 of 3 (invocation 1).' });
    expect(first.state).toMatchObject({ format: 'msgraph-mail/action-state@1', action: 'Fake Sweep', invocation: 1, data: { cursor: 1 } });
    await clock.sleep(5000);
    const second = await runAction(sweep, { ...input, state: first.state }, deps);
    expect(second.output_message).toBe('Processed 2 of 3 (invocation 2).');
    const third = await runAction(sweep, { ...input, state: second.state }, deps);
    expect(third).toMatchObject({ execution_state: 'COMPLETED', output_message: 'Processed a, b, c.', state: null });
    expect(third.json_result).toEqual({ startedAt: 1_700_000_000_000, invocations: 3 });
  });

  it('refuses a state saved by another action', () => {
    expect(() => unwrapState({ format: 'msgraph-mail/action-state@1', action: 'Ping', started_at: 1, invocation: 1, data: {} }, 'Fake Sweep'))
      .toThrow(UsageError);
    expect(() => unwrapState({ hello: 1 }, 'Fake Sweep')).toThrow('does not hold a state');
  });

  it('runUntilDone polls with the injected clock and times out', async () => {
    const clock = fakeClock();
    const deps = { createGraph: () => fakeGraph({}), clock };
    const invoke = (state: unknown) => runAction(sweep, { config: baseConfig, params: { Items: 'a,b,c,d' }, state }, deps);
    const progress: unknown[] = [];
    const done = await runUntilDone(invoke, null, { pollIntervalMs: 2000, clock, onProgress: (d) => void progress.push(d.state) });
    expect(done.execution_state).toBe('COMPLETED');
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(progress).toHaveLength(3);

    const timedOut = await runUntilDone(invoke, null, { pollIntervalMs: 2000, timeoutMs: 3000, clock });
    expect(timedOut).toMatchObject({
      is_success: false, execution_state: 'TIMEDOUT', state: null,
      output_message: 'Action "Fake Sweep" did not finish within 3 seconds. Last progress: Processed 2 of 4 (invocation 2).',
    });
  });
});
