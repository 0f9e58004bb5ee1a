/**
 * Parse throughput: every .eml of ../shared/corpus/eml through our parser (parseMailFile: MIME,
 * charsets, attachment hashes, nested mails) and through Python's standard-library `email`
 * package (bench/parse_baseline.py, a child process that times itself), side by side.
 * Run: npm run bench:parse [-- --iterations N] [--dir PATH]
 * Each side: one warm-up pass, then the best of N timed passes.
 * Prints one JSON line: {"files","bytes","ours_mb_s","python_mb_s","ratio"}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMailFile } from '../src/mail/parse/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = resolve(arg('dir') ?? join(here, '..', '..', 'shared', 'corpus', 'eml'));
const iterations = Number(arg('iterations') ?? 5);
if (!Number.isInteger(iterations) || iterations < 1) throw new TypeError('--iterations must be a positive integer');
if (!existsSync(dir)) {
  console.error(`bench:parse: ${dir} does not exist (the corpus lives in ../shared/corpus); nothing to measure`);
  process.exit(2);
}

const names = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
const files = names.map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(dir, n))) }));
const bytes = files.reduce((s, f) => s + f.bytes.byteLength, 0);

async function onePass(): Promise<void> {
  for (const f of files) {
    try {
      await parseMailFile(f.bytes, { fileName: f.name, type: 'eml' });
    } catch {
      // a named parse error is a result too; the corpus suite checks which files give one
    }
  }
}

await onePass(); // warm-up: JIT and lazily loaded charset tables
// Best of N passes on both sides (as Python's timeit does): the machine is shared, the minimum is the least disturbed.
let best = Infinity;
for (let i = 0; i < iterations; i++) {
  const start = performance.now();
  await onePass();
  best = Math.min(best, (performance.now() - start) / 1000);
}
const oursMbS = bytes / best / 1e6;

const py = JSON.parse(
  execFileSync('python3', [join(here, 'parse_baseline.py'), dir, String(iterations)], { encoding: 'utf8', maxBuffer: 1 << 20 }),
) as { files: number; bytes: number; mb_s: number };
if (py.files !== files.length || py.bytes !== bytes) throw new Error('the Python baseline read different files');

const round = (n: number): number => Math.round(n * 100) / 100;
console.log(JSON.stringify({ files: files.length, bytes, ours_mb_s: round(oursMbS), python_mb_s: round(py.mb_s), ratio: round(oursMbS / py.mb_s) }));
