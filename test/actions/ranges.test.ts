/**
 * Every number an action takes has a range: declared on its parameter, within what a JavaScript
 * number holds exactly, shown by `actions`, and written in docs/deviations.md (the product
 * documentation gives none).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actions } from '../../src/actions/index.ts';
import { describeAction } from '../../src/cli/actions-command.ts';

const here = dirname(fileURLToPath(import.meta.url));
const deviations = readFileSync(join(here, '../../docs/deviations.md'), 'utf8').replace(/\s+/g, ' ');

/** The documented parameters that hold numbers (typed `string` in the docs). */
const NUMBERS = ['Time Frame (minutes)', 'Max Emails To Return', 'How many mailboxes to process in a single batch'];

const integerParams = actions.flatMap((a) => a.params.filter((p) => p.format === 'integer').map((p) => ({ action: a, p })));

describe('numeric parameters', () => {
  it('are exactly the documented numbers, wherever an action takes one', () => {
    expect([...new Set(integerParams.map(({ p }) => p.name))].sort()).toEqual([...NUMBERS].sort());
    for (const a of actions) for (const p of a.params) if (NUMBERS.includes(p.name)) expect(p.format, `${a.name}: ${p.name}`).toBe('integer');
  });

  it('each declare a range a JavaScript number holds, the same in every action, stated in docs/deviations.md', () => {
    const seen = new Map<string, string>();
    for (const { action, p } of integerParams) {
      const where = `${action.name}: ${p.name}`;
      expect(Number.isSafeInteger(p.min), where).toBe(true);
      expect(Number.isSafeInteger(p.max), where).toBe(true);
      expect(p.min!, where).toBeLessThanOrEqual(p.max!);
      if (p.default !== null) {
        expect(Number(p.default), where).toBeGreaterThanOrEqual(p.min!);
        expect(Number(p.default), where).toBeLessThanOrEqual(p.max!);
      }
      const range = `${p.min!.toLocaleString('en-US')} to ${p.max!.toLocaleString('en-US')}`;
      expect(seen.get(p.name) ?? range, where).toBe(range);
      seen.set(p.name, range);
      expect(deviations, where).toContain(`\`${p.name}\` ${range}`);
    }
  });

  it('show their range in `actions --json`', () => {
    for (const { action, p } of integerParams) {
      const described = describeAction(action).params.find((d) => d.name === p.name);
      expect(described, `${action.name}: ${p.name}`).toMatchObject({ min: p.min, max: p.max });
    }
  });
});
