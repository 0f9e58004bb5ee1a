/**
 * The emulator's one source of randomness for behaviour (faults, latency jitter, the order of
 * `$batch` answers), seeded so that a failing storm test replays exactly: print the seed
 * (`GET /_emulator/settings` -> `randomSeed`) and set it again with `PUT /_emulator/settings`.
 * Ids and secrets stay cryptographically random: they change no behaviour.
 *
 * The generator is mulberry32 (a 32-bit state, full period, good enough for test schedules):
 * small, fast, and the same sequence on every Node version.
 */
export interface SeededRandom {
  readonly seed: number;
  next(): number;
}

export function seededRandom(seed: number): SeededRandom {
  let s = seed >>> 0;
  return {
    seed: seed >>> 0,
    next() {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A seed for a run that was given none (still printed, so the run can be replayed). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}
