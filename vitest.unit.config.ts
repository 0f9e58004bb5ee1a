import { defineConfig } from 'vitest/config';

// The fast unit project (`npm run test:unit`): no emulator, no child processes, scripted transports
// and fake clocks only. `npm test` runs everything, these included.
export default defineConfig({
  test: {
    include: [
      'test/graph/{batch,layers,odata,pacing,paging,retry,token,transport}.test.ts',
      'test/emulator-units/**/*.test.ts',
      'test/parse/**/*.test.ts',
      'test/mail/html-references.test.ts',
      'test/mail/replies.test.ts',
      'test/mail/compose/**/*.test.ts',
      'test/connector/params.test.ts',
      'test/soar/**/*.test.ts',
      'test/architecture/**/*.test.ts',
      'test/actions/contract.test.ts',
      'test/attachments/safe-name.test.ts',
      'test/sweeps/engine.test.ts',
      'test/cli/format.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'threads',
    // These files share no state worth isolating (no servers, no globals), so one module graph serves them all.
    isolate: false,
  },
});
