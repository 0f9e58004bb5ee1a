import { defineConfig } from 'vitest/config';

// The corpus suite (npm run test:corpus): real-world files from ../shared/corpus, never copied here.
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
