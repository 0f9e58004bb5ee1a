#!/usr/bin/env node
// Runs the compiled JavaScript in dist/, which `npm ci` builds (the `prepare` script,
// scripts/build.mjs): no TypeScript compiler at start-up, so one action call costs one plain
// Node start. After editing the sources, `npm run build` refreshes dist/.
let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).replaceAll('\\', '/').includes('dist/src/cli/main.js')) throw e;
  process.stderr.write('msgraph-mail: the compiled code is missing (dist/src/cli/main.js): run `npm run build` (`npm ci` runs it).\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
