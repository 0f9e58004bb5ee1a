/** `msgraph-mail actions [--json]`: every action with its parameters. */
import { actions } from '../actions/index.ts';
import type { ActionDefinition } from '../soar/action.ts';
import type { TextSink } from './io.ts';

export function describeAction(a: ActionDefinition) {
  return {
    name: a.name,
    description: a.description,
    async: a.async,
    entities: a.entities,
    beta_api: a.betaApi,
    implemented: a.implemented,
    params: a.params.map((p) => ({
      name: p.name,
      required: p.required,
      default: p.default,
      type: p.type,
      options: p.options,
      description: p.description,
      ...(p.beyondDocs ? { beyond_docs: true } : {}),
    })),
  };
}

export function actionsCommand(opts: { json?: boolean }, stdout: TextSink, extra: readonly ActionDefinition[] = []): number {
  const all = [...actions, ...extra] as ActionDefinition[];
  if (opts.json) {
    stdout.write(JSON.stringify(all.map(describeAction), null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  for (const a of all) {
    const tags = [a.async ? 'async' : null, a.entities !== 'none' ? `runs on ${a.entities} entities` : null, a.implemented ? null : 'not implemented yet']
      .filter(Boolean)
      .join(', ');
    out.push(`${a.name}${tags ? `  (${tags})` : ''}`);
    out.push(`  ${a.description}`);
    if (a.params.length === 0) out.push('  Parameters: none');
    for (const p of a.params) {
      const facts = [p.required ? 'required' : 'optional', p.type];
      if (p.default !== null) facts.push(`default: ${p.default}`);
      if (p.options) facts.push(`options: ${p.options.join(' | ')}`);
      if (p.beyondDocs) facts.push('beyond the documentation');
      out.push(`  - ${p.name} [${facts.join(', ')}]`);
    }
    out.push('');
  }
  stdout.write(out.join('\n'));
  return 0;
}
