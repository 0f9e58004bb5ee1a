/**
 * The import rules of docs/architecture.md, checked on every source file: a room imports only
 * the rooms its row allows. Relative imports (static `import`/`export ... from` and dynamic
 * `import()`) are resolved against the file; package imports are not rooms.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Rooms, or single leaf modules (a path ending in `.ts`) shared beyond their room. */
const ALLOWED: Record<string, string[]> = {
  'src/graph': ['src/graph'],
  // InputError (a bad value, naming its parameter) is the one piece of the runtime contract mail helpers raise.
  'src/mail': ['src/graph', 'src/mail', 'src/soar/errors.ts'],
  'src/sweep': ['src/graph', 'src/mail', 'src/sweep', 'src/soar'],
  'src/soar': ['src/graph', 'src/soar'],
  'src/actions': ['src/graph', 'src/mail', 'src/sweep', 'src/soar', 'src/actions'],
  'src/connector': ['src/graph', 'src/mail', 'src/sweep', 'src/soar', 'src/connector'],
  'src/cli': ['src/graph', 'src/mail', 'src/sweep', 'src/soar', 'src/actions', 'src/connector', 'src/cli', 'emulator'],
  emulator: ['emulator'],
};

function roomOf(file: string): string | undefined {
  const rel = relative(ROOT, file).split('\\').join('/');
  if (rel.startsWith('emulator/')) return 'emulator';
  const m = /^src\/([^/]+)\//.exec(rel);
  return m ? `src/${m[1]}` : undefined;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) out.push(resolve(dirname(file), spec));
  }
  return out;
}

const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'emulator'))];

describe('room boundaries (docs/architecture.md)', () => {
  it('finds the rooms and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => importsOf(f).length > 0)).toBe(true);
  });

  it('every relative import stays within what its room may import', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      if (!from) continue;
      const allowed = ALLOWED[from];
      for (const target of importsOf(file)) {
        const to = roomOf(target);
        if (!allowed) broken.push(`${relative(ROOT, file)}: room ${from} has no rule`);
        else if (to === undefined) broken.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)} (outside every room)`);
        else if (!allowed.includes(to) && !allowed.includes(relative(ROOT, target).split('\\').join('/'))) broken.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)} (${from} may not import ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the check itself catches a forbidden import', () => {
    const fake = join(ROOT, 'src/graph/fake.ts');
    expect(roomOf(fake)).toBe('src/graph');
    expect(ALLOWED['src/graph']).not.toContain(roomOf(join(ROOT, 'src/mail/find.ts')));
    expect(ALLOWED.emulator).not.toContain(roomOf(join(ROOT, 'src/graph/client.ts')));
    expect([...`import { x } from '../mail/find.ts';\nexport * from "./y.ts";\nconst m = await import('../soar/a.ts');`.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3])).toEqual([
      '../mail/find.ts',
      './y.ts',
      '../soar/a.ts',
    ]);
  });
});
