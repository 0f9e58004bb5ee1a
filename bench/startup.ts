/**
 * npm run bench:startup [-- --runs N] [--bin PATH]
 *
 * What one SOAR action call costs before the action does anything: a fresh process per call.
 * Measures, side by side in one run, `node -e 0` (the floor), `msgraph-mail --version`,
 * `msgraph-mail actions` and `msgraph-mail actions --json`, each a fresh child process of the
 * real binary (bin/msgraph-mail.js, i.e. the compiled dist/; rebuilt first if a source is newer).
 * The commands take turns, round after round (one unmeasured warm-up round, then N = 15), so a
 * burst of load on the shared machine hits all of them alike.
 *
 * - wall: spawn to exit, measured here (the median of the N runs is the figure);
 * - peak RSS: the child's high-water resident set as the kernel reports it at exit (wait4's
 *   ru_maxrss, through `/usr/bin/time -f %M`; without that program, a preload that reads
 *   `process.resourceUsage().maxRSS` in the child's exit handler, a few hundred KB lower).
 *
 * Prints one JSON line per command, then one with the targets and whether they are met.
 * `--bin PATH` measures another checkout's binary (e.g. an older commit, for before/after).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
/** The documented goal (issue 8, "Fast start") for `msgraph-mail actions` on the project machine. */
const TARGETS = { 'msgraph-mail actions': { wall_s: 0.25, peak_rss_mb: 70 } } as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg('runs') ?? 15);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError('--runs must be a whole number of at least 1');
const bin = path.resolve(arg('bin') ?? path.join(root, 'bin/msgraph-mail.js'));
if (!existsSync(bin)) throw new Error(`--bin ${bin} does not exist`);

interface Command {
  name: string;
  args: string[];
}

const commands: Command[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'msgraph-mail --version', args: [bin, '--version'] },
  { name: 'msgraph-mail actions', args: [bin, 'actions'] },
  { name: 'msgraph-mail actions --json', args: [bin, 'actions', '--json'] },
];

const useTime = existsSync(TIME);
/** Fallback probe: reports the child's own maxRSS (KB) on fd 3 as it exits. */
const PRELOAD = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(3, String(process.resourceUsage().maxRSS)));")}`;

interface Sample {
  wallMs: number;
  rssKb: number;
}

async function runOnce(cmd: Command, scratch: string): Promise<Sample> {
  const rssFile = path.join(scratch, 'rss');
  const [file, args] = useTime
    ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...cmd.args]]
    : [process.execPath, ['--import', PRELOAD, ...cmd.args]];
  const started = performance.now();
  const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe', useTime ? 'ignore' : 'pipe'] });
  let out = 0;
  let err = '';
  let probe = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.length));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  child.stdio[3]?.on('data', (d: Buffer) => (probe += d));
  let wallMs = 0;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => {
      wallMs = performance.now() - started;
      resolve(c);
    });
  });
  const closed = new Promise((resolve) => child.once('close', resolve)); // stdio drained
  const [code] = await Promise.all([exited, closed]);
  // A command that failed or printed nothing measured something else than it claims.
  if (code !== 0 || (cmd.name !== 'node -e 0' && out === 0)) throw new Error(`${cmd.name}: exit ${code}, ${out} bytes on stdout: ${err.trim()}`);
  const rssKb = Number(useTime ? (await readFile(rssFile, 'utf8')).trim().split('\n').pop() : probe);
  if (!Number.isFinite(rssKb) || rssKb <= 0) throw new Error(`${cmd.name}: no peak RSS reading`);
  return { wallMs, rssKb };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// The binary runs dist/: measure the code as it is now, not an older build.
if (bin === path.join(root, 'bin/msgraph-mail.js')) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('scripts/build.mjs --if-stale failed');
}

const scratch = await mkdtemp(path.join(tmpdir(), 'bench-startup-'));
const samples = new Map<string, Sample[]>(commands.map((c) => [c.name, []]));
const loadBefore = loadavg()[0];
try {
  for (let pass = 0; pass <= runs; pass++) {
    for (const cmd of [...commands]) {
      let sample: Sample;
      try {
        sample = await runOnce(cmd, scratch);
      } catch (e) {
        // An older binary (--bin) may have no --version: leave it out rather than fail.
        if (pass > 0 || cmd.name !== 'msgraph-mail --version') throw e;
        process.stderr.write(`bench:startup: ${(e as Error).message.split('\n')[0]}; not measured\n`);
        commands.splice(commands.indexOf(cmd), 1);
        continue;
      }
      if (pass > 0) samples.get(cmd.name)!.push(sample); // pass 0 warms the file cache up
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const nodeWall = median(samples.get('node -e 0')!.map((s) => s.wallMs));
const figures = new Map<string, { wall_s: number; peak_rss_mb: number }>();
for (const cmd of commands) {
  const list = samples.get(cmd.name)!;
  const walls = list.map((s) => s.wallMs);
  const rss = list.map((s) => s.rssKb / 1024);
  const wallMedian = median(walls);
  figures.set(cmd.name, { wall_s: wallMedian / 1000, peak_rss_mb: median(rss) });
  process.stdout.write(
    `${JSON.stringify({
      command: cmd.name,
      runs: list.length,
      wall_ms_median: round(wallMedian),
      wall_ms_min: round(Math.min(...walls)),
      wall_ms_max: round(Math.max(...walls)),
      over_node_ms: round(wallMedian - nodeWall),
      peak_rss_mb_median: round(median(rss)),
      peak_rss_mb_max: round(Math.max(...rss)),
    })}\n`,
  );
}
const targets = Object.fromEntries(
  Object.entries(TARGETS).map(([name, limit]) => {
    const got = figures.get(name)!;
    const met = got.wall_s <= limit.wall_s && got.peak_rss_mb <= limit.peak_rss_mb;
    return [name, { wall_s_max: limit.wall_s, peak_rss_mb_max: limit.peak_rss_mb, wall_s: round(got.wall_s, 3), peak_rss_mb: round(got.peak_rss_mb), met }];
  }),
);
process.stdout.write(
  `${JSON.stringify({ targets, bin: path.relative(root, bin) || bin, rss_source: useTime ? '/usr/bin/time -f %M (wait4 ru_maxrss)' : 'process.resourceUsage().maxRSS at exit', load_average: [round(loadBefore, 2), round(loadavg()[0], 2)] })}\n`,
);
