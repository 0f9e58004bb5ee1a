/**
 * How the CLI finds the registered actions without loading all of them. A SOAR starts one
 * process per action call, so `run "Ping"` should load Ping and what Ping uses, and `actions`
 * no action at all.
 *
 * The build (scripts/build.mjs) writes `manifest.json` beside the compiled registry: for every
 * registered action, in registry order, its `actions --json` description and the module and
 * export that define it. Run from the sources (tests, tsx) there is no manifest and the registry
 * (src/actions/index.ts) is used as it is; the bin test checks that both give the same answers.
 */
import { readFile } from 'node:fs/promises';
import type { ActionDefinition } from '../soar/action.ts';
import { findByName } from '../soar/suggest.ts';

export type ActionDescription = ReturnType<typeof describeAction>;

export interface ManifestEntry {
  /** File name in the compiled src/actions/, e.g. `ping.js`. */
  module: string;
  /** Name of the export holding the definition, e.g. `ping`. */
  export: string;
  description: ActionDescription;
}

export const MANIFEST_FILE = new URL('../actions/manifest.json', import.meta.url);

export function describeAction(a: ActionDefinition) {
  return {
    name: a.name,
    description: a.description,
    async: a.async,
    entities: a.entities,
    beta_api: a.betaApi,
    // Every documented action is built; kept for scripts that read it.
    implemented: true,
    params: a.params.map((p) => ({
      name: p.name,
      required: p.required,
      default: p.default,
      type: p.type,
      options: p.options,
      description: p.description,
      // The docs give numbers no range; ours are documented here and in docs/deviations.md.
      ...(p.format === 'integer' ? { min: p.min ?? null, max: p.max ?? null } : {}),
      ...(p.beyondDocs ? { beyond_docs: true } : {}),
    })),
  };
}

let manifest: Promise<ManifestEntry[] | null> | undefined;

/** The build's manifest, or null when running from the sources. */
function readManifest(): Promise<ManifestEntry[] | null> {
  manifest ??= readFile(MANIFEST_FILE, 'utf8').then(
    (text) => JSON.parse(text) as ManifestEntry[],
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    },
  );
  return manifest;
}

async function registry() {
  return (await import('../actions/index.ts')).actions as readonly ActionDefinition[];
}

/** Every registered action's description, in registry order. */
export async function describeRegisteredActions(): Promise<ActionDescription[]> {
  const entries = await readManifest();
  if (entries) return entries.map((e) => e.description);
  return (await registry()).map(describeAction);
}

/** The documented names, for "did you mean" help. */
export async function registeredActionNames(): Promise<string[]> {
  return (await describeRegisteredActions()).map((d) => d.name);
}

/** Case-insensitive lookup that loads the one module defining the action. */
export async function loadRegisteredAction(name: string): Promise<ActionDefinition | undefined> {
  const entries = await readManifest();
  if (!entries) return findByName(await registry(), name);
  const entry = findByName(
    entries.map((e) => ({ ...e, name: e.description.name })),
    name,
  );
  if (!entry) return undefined;
  const mod = (await import(new URL(entry.module, MANIFEST_FILE).href)) as Record<string, ActionDefinition | undefined>;
  const def = mod[entry.export];
  if (def?.name !== entry.description.name) {
    throw new Error(`dist/ is inconsistent: ${entry.module} does not export "${entry.description.name}" as ${entry.export}; run \`npm run build\`.`);
  }
  return def;
}
