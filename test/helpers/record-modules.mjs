// Preload (`node --import`) for tests that check what a command loads: appends every module the
// process loads to the file named by RECORD_MODULES_TO, one URL or path a line. ES modules are
// seen by a resolve hook; CommonJS ones (loaded by require, which Node 20's hooks do not see)
// are read from the require cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.RECORD_MODULES_TO;
if (!out) throw new Error('record-modules.mjs: set RECORD_MODULES_TO');
register('./record-modules-hooks.mjs', import.meta.url, { data: { out } });
process.on('exit', () => appendFileSync(out, Object.keys(createRequire(import.meta.url).cache).map((p) => `${p}\n`).join('')));
