/**
 * The real binary (bin/msgraph-mail.js, running the compiled dist/): exit codes, a clean stdout,
 * the same output as the sources, and what `actions` loads. dist/ is rebuilt first when a source
 * is newer (scripts/build.mjs --if-stale), so a stale or missing build never fails or fools this.
 */
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { main } from '../../src/cli/main.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let emu: RunningEmulator;
let configPath: string;

function runBin(args: string[], env: Record<string, string> = {}, opts: { bin?: string; nodeArgs?: string[] } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.bin ?? join(root, 'bin/msgraph-mail.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function inProcess(argv: string[]): Promise<string> {
  let out = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } });
  expect(code).toBe(0);
  return out;
}

/** Package names in a module list (file URLs and paths): `node_modules/@scope/name/...` -> `@scope/name`. */
function packagesIn(modules: string[]): string[] {
  const names = modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

beforeAll(() => {
  // A cold build takes 5-25 s on the shared machine; a fresh one is a quick no-op.
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 180_000);

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', quiet: true });
  const dir = await mkdtemp(join(tmpdir(), 'bin-'));
  configPath = join(dir, 'config.json');
  const i = emu.info;
  await writeFile(configPath, JSON.stringify(configForEmulator(i, { 'Secret ID': '$ENV:BIN_SECRET' })));
});
afterAll(async () => {
  await emu?.close();
});

describe('bin/msgraph-mail.js', () => {
  it('runs Ping over verified HTTPS (NODE_EXTRA_CA_CERTS), lists actions, rejects unknown actions', async () => {
    const [ping, list, unknown] = await Promise.all([
      runBin(['run', 'Ping', '--config', configPath], { BIN_SECRET: emu.info.clientSecret, NODE_EXTRA_CA_CERTS: emu.info.caCertPath }),
      runBin(['actions', '--json']),
      runBin(['run', 'Serch Emails', '--config', configPath]),
    ]);
    expect(ping.err).not.toContain(emu.info.clientSecret);
    expect(ping.code).toBe(0);
    expect(JSON.parse(ping.out)).toMatchObject({ action: 'Ping', is_success: true, execution_state: 'COMPLETED' });

    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toHaveLength(17);

    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain('Unknown action "Serch Emails". Did you mean "Search Emails"?');
  });
});

describe('bin/msgraph-mail.js start-up', () => {
  it('prints what the sources print: actions --json, actions, --version', async () => {
    const [json, text, version] = await Promise.all([runBin(['actions', '--json']), runBin(['actions']), runBin(['--version'])]);
    expect(json).toMatchObject({ code: 0, err: '' });
    expect(json.out).toBe(await inProcess(['actions', '--json']));
    expect(text).toMatchObject({ code: 0, err: '' });
    expect(text.out).toBe(await inProcess(['actions']));
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, out: `${pkg.version}\n` });
  });

  it('`actions` loads no action and no action\'s dependency: commander is the only package', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bin-modules-'));
    const record = async (args: string[], env: Record<string, string> = {}, tag = args[0]) => {
      const file = join(dir, `${tag}.txt`);
      const r = await runBin(args, { ...env, RECORD_MODULES_TO: file }, { nodeArgs: ['--import', join(root, 'test/helpers/record-modules.mjs')] });
      expect(r.code, r.err).toBe(0);
      return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    };
    const listed = await record(['actions', '--json']);
    expect(packagesIn(listed)).toEqual(['commander']);
    // Nor any action module or what they run on: the build described the actions beforehand.
    const ours = [...new Set(listed.filter((m) => m.includes('/dist/')).map((m) => m.replace(/^.*\/dist\//, '')))].sort();
    expect(ours).toContain('src/cli/actions-command.js');
    expect(ours.filter((m) => /^(src\/(actions|mail|graph)\/|src\/soar\/(?!(errors|suggest)\.js)|emulator\/)/.test(m))).toEqual([]);
    // Running Ping loads our HTTP client (on Node's own http, no package); pino only once a line is
    // written at the level set...
    const env = { BIN_SECRET: emu.info.clientSecret, NODE_EXTRA_CA_CERTS: emu.info.caCertPath };
    const [quiet, verbose] = await Promise.all([
      record(['run', 'Ping', '--config', configPath], env, 'quiet'),
      record(['run', 'Ping', '--config', configPath], { ...env, MSGRAPH_MAIL_LOG_LEVEL: 'debug' }, 'verbose'),
    ]);
    expect(packagesIn(quiet)).toEqual(['commander']);
    // ...and of the actions only Ping (the manifest names its module).
    const actionModules = quiet.map((m) => /\/dist\/src\/actions\/([^/]+\.js)$/.exec(m)?.[1]).filter(Boolean);
    expect([...new Set(actionModules)].sort()).toEqual(['ping.js']);
    expect(packagesIn(verbose)).toEqual(expect.arrayContaining(['commander', 'pino', 'thread-stream']));
  });

  it('says how to build when dist/ is missing', async () => {
    const lonely = await mkdtemp(join(tmpdir(), 'bin-no-dist-'));
    await mkdir(join(lonely, 'bin'));
    await copyFile(join(root, 'bin/msgraph-mail.js'), join(lonely, 'bin/msgraph-mail.js'));
    const r = await runBin(['actions'], {}, { bin: join(lonely, 'bin/msgraph-mail.js') });
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toContain('run `npm run build`');
  });
});
