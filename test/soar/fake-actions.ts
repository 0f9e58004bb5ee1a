/** Actions registered only in tests. */
import { defineAction, inProgress, succeeded, type ActionDefinition } from '../../src/soar/action.ts';
import { takeBatch } from '../../src/soar/async.ts';

/** Processes one item per invocation: the shape of the mailbox-sweep actions. */
export const sweep: ActionDefinition = defineAction({
  name: 'Fake Sweep',
  description: 'test',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [{ name: 'Items', required: true, default: null, type: 'string', options: null, description: '', format: 'list' }],
  messages: { success: 'Processed {ITEMS}.', error: 'Failed to execute action, the error is: {ERROR_REASON}' },
  async run(ctx) {
    const items = ctx.params.list('Items');
    const prev = (ctx.state as { cursor: number; done: string[] } | null) ?? { cursor: 0, done: [] };
    const { batch, next } = takeBatch(items, prev.cursor, 1);
    const done = [...prev.done, ...batch];
    if (next !== null) return inProgress(`Processed ${done.length} of ${items.length} (invocation ${ctx.invocation}).`, { cursor: next, done });
    return succeeded(ctx.message('success', { ITEMS: done }), { json_result: { startedAt: ctx.startedAt, invocations: ctx.invocation } });
  },
});


/** Waits for something that never comes, and answers TIMEDOUT itself at its deadline: the shape of the waiting actions. */
export const waiter = defineAction({
  name: 'Fake Wait',
  description: 'test',
  async: true,
  entities: 'none',
  betaApi: false,
  timesOutItself: true,
  params: [{ name: 'Ignore Deadline', required: false, default: 'false', type: 'boolean', options: null, description: 'a faulty action: never times out itself' }],
  messages: { timeout: 'Nobody answered by {AT}.', error: 'Failed to execute action, the error is: {ERROR_REASON}' },
  async run(ctx) {
    if (ctx.deadline !== undefined && ctx.clock.now() >= ctx.deadline && !ctx.params.boolean('Ignore Deadline')) {
      return { is_success: false, execution_state: 'TIMEDOUT', output_message: ctx.message('timeout', { AT: ctx.deadline }), json_result: { invocations: ctx.invocation } };
    }
    return inProgress(`Still waiting (invocation ${ctx.invocation}, deadline ${ctx.deadline ?? 'none'}).`, { polls: ctx.invocation });
  },
});
