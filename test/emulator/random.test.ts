/** Seeded randomness and the latency model: a storm replays from its seed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../emulator/random.ts';
import { harness, readJson, SOC, type Collection, type ErrorAnswer, type Harness } from './helpers.ts';
import type { Settings } from '../../emulator/state.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ throttle: false, randomSeed: 7 });
});
afterAll(() => h.emu.close());

const settings = async (patch?: unknown) =>
  readJson<Settings>(await h.admin('/settings', patch === undefined ? {} : { method: 'PUT', body: JSON.stringify(patch) }));

async function statuses(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push((await h.graph(`/v1.0/users/${SOC}/mailFolders/inbox`)).status);
  return out;
}

describe('seeded randomness', () => {
  it('mulberry32 is deterministic per seed and spread over [0, 1)', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(400);
    expect(seededRandom(124).next()).not.toBe(xs[0]);
  });

  it('shows the seed and the model in the settings, and refuses bad values naming the setting', async () => {
    expect(await settings()).toMatchObject({ randomSeed: 7, batchParallelism: 4, latencyJitterMs: 0, writeLatencyMs: 0 });
    for (const [key, value] of [['randomSeed', -1], ['randomSeed', 1.5], ['randomSeed', 2 ** 32], ['batchParallelism', 0], ['batchParallelism', 2.5], ['latencyJitterMs', -3], ['writeLatencyMs', 'x']] as const) {
      const res = await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ [key]: value }) });
      expect(res.status).toBe(400);
      expect((await readJson<ErrorAnswer>(res)).error.message).toContain(`'${key}'`);
    }
  });

  it('replays the same faults after the same seed is set again', async () => {
    await settings({ randomSeed: 42, faultRate: 0.5, faultStatuses: [503, 500] });
    const first = await statuses(30);
    await settings({ randomSeed: 42 });
    const again = await statuses(30);
    await settings({ randomSeed: 43 });
    const other = await statuses(30);
    await settings({ faultRate: 0 });
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('jitter and write latency add to every request (lower bounds only)', async () => {
    await settings({ latencyMs: 50, latencyJitterMs: 100, writeLatencyMs: 150 });
    try {
      let started = performance.now();
      expect((await h.graph(`/v1.0/users/${SOC}/mailFolders/inbox`)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(49);
      const list = await readJson<Collection<{ id: string }>>(await h.graph(`/v1.0/users/${SOC}/messages?$top=1&$select=id`));
      started = performance.now();
      const res = await h.graph(`/v1.0/users/${SOC}/messages/${encodeURIComponent(list.value[0].id)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ isRead: true }),
      });
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(199);
    } finally {
      await settings({ latencyMs: 0, latencyJitterMs: 0, writeLatencyMs: 0 });
    }
  });
});
