/** The rooms' one-way streets (shared DESIGN.md "Rooms"), checked on every import of src/. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Room -> the rooms it may import (itself included). */
const ALLOWED: Record<string, readonly string[]> = {
  graph: ['graph'],
  mail: ['graph', 'mail'],
  sweep: ['graph', 'mail', 'soar', 'sweep'],
};

/**
 * Known exceptions still to remove: the attachment destinations throw the runtime's InputError
 * (Download Attachments tells a refusing destination by it).
 */
const KNOWN = new Set(['src/mail/destinations/* -> src/soar/errors.ts']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)].map((m) => resolve(dirname(file), m[1] ?? m[2]));
}

const roomOf = (path: string) => relative(SRC, path).split('/')[0];

describe('room imports', () => {
  it('graph, mail and sweep import only the rooms they may', () => {
    const bad: string[] = [];
    for (const [room, allowed] of Object.entries(ALLOWED)) {
      for (const file of filesUnder(join(SRC, room))) {
        for (const target of importsOf(file)) {
          const rel = relative(ROOT, target);
          const ok = rel.startsWith('src/') && allowed.includes(roomOf(target));
          const from = relative(ROOT, file).replace(/\/[^/]+$/, '/*');
          if (!ok && !KNOWN.has(`${from} -> ${rel}`)) bad.push(`${relative(ROOT, file)} -> ${rel}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('nothing in src but the CLI imports the emulator', () => {
    const bad = filesUnder(SRC)
      .filter((f) => roomOf(f) !== 'cli')
      .flatMap((f) => importsOf(f).filter((t) => relative(ROOT, t).startsWith('emulator/')).map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`));
    expect(bad).toEqual([]);
  });
});
