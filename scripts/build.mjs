#!/usr/bin/env node
/**
 * Compiles src/ and emulator/ to dist/ (what bin/msgraph-mail.js runs). `npm ci` runs it through
 * the `prepare` script. Type errors do not stop it (tsconfig.build.json has `noCheck`): type
 * checking is `npm test`'s job, and an install must not fail on one.
 *
 *   node scripts/build.mjs              build now
 *   node scripts/build.mjs --if-stale   build only when a source is newer than the last build
 *
 * The new tree is emitted beside dist/ and swapped in whole, so a failed build keeps the old
 * one and a deleted source leaves no stale .js behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** Written last: its mtime is when the tree in dist/ was compiled. */
const stamp = path.join(dist, '.build-stamp');
const INPUTS = ['src', 'emulator', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/**
 * Run on the fresh tree (argv[1] = its src/): the manifest of src/cli/action-manifest.ts, i.e. for
 * every registered action its description and the module and export that define it.
 */
const DESCRIBE = `
import { readdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const src = process.argv[1];
const { actions } = await import(pathToFileURL(src + '/actions/index.js').href);
const { describeAction, MANIFEST_FILE } = await import(pathToFileURL(src + '/cli/action-manifest.js').href);
const where = new Map();
for (const file of readdirSync(src + '/actions').filter((f) => f.endsWith('.js') && f !== 'index.js').sort()) {
  const mod = await import(pathToFileURL(src + '/actions/' + file).href);
  for (const [name, value] of Object.entries(mod)) if (actions.includes(value) && !where.has(value)) where.set(value, { module: file, export: name });
}
const entries = actions.map((a) => {
  if (!where.has(a)) throw new Error('no module in src/actions/ exports the action "' + a.name + '"');
  return { ...where.get(a), description: describeAction(a) };
});
writeFileSync(MANIFEST_FILE, JSON.stringify(entries, null, 1) + '\\n');
`;

export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((input) => newestMtime(path.join(root, input)) > built);
}

export function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = path.join(root, `dist.tmp-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status ?? run.signal})`);
  }
  // `actions` and `run` find the actions through it without loading the whole registry.
  const describe = spawnSync(process.execPath, ['--input-type=module', '-e', DESCRIBE, path.join(out, 'src')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (describe.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`describing the compiled actions failed (exit ${describe.status ?? describe.signal})`);
  }
  writeFileSync(path.join(out, '.build-stamp'), `${new Date().toISOString()}\n`);
  const old = path.join(root, `dist.old-${process.pid}`);
  try {
    renameSync(dist, old);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  try {
    renameSync(out, dist);
  } catch (e) {
    // A build running at the same time swapped its tree in first: same sources, keep that one.
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    rmSync(out, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || isStale()) {
    const started = Date.now();
    build();
    process.stderr.write(`msgraph-mail: compiled src/ and emulator/ to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
