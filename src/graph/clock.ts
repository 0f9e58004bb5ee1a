/** Real time and sleep; tests inject their own Clock instead. A module of its own so light callers need not load the client. */
import type { Clock } from './types.ts';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
