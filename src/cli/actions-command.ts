/** `msgraph-mail actions [--json]`: every action with its parameters. */
import type { ActionDefinition } from '../soar/action.ts';
import { describeAction, describeRegisteredActions } from './action-manifest.ts';
import type { TextSink } from './io.ts';

export { describeAction } from './action-manifest.ts';

export async function actionsCommand(opts: { json?: boolean }, stdout: TextSink, extra: readonly ActionDefinition[] = []): Promise<number> {
  const all = [...(await describeRegisteredActions()), ...extra.map(describeAction)];
  if (opts.json) {
    stdout.write(JSON.stringify(all, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  for (const a of all) {
    const tags = [a.async ? 'async' : null, a.entities !== 'none' ? `runs on ${a.entities} entities` : null]
      .filter(Boolean)
      .join(', ');
    out.push(`${a.name}${tags ? `  (${tags})` : ''}`);
    out.push(`  ${a.description}`);
    if (a.params.length === 0) out.push('  Parameters: none');
    for (const p of a.params) {
      const facts = [p.required ? 'required' : 'optional', p.type];
      if (p.default !== null) facts.push(`default: ${p.default}`);
      if (p.options) facts.push(`options: ${p.options.join(' | ')}`);
      if ('min' in p) facts.push(`whole number from ${p.min} to ${p.max}`);
      if (p.beyond_docs) facts.push('beyond the documentation');
      out.push(`  - ${p.name} [${facts.join(', ')}]`);
    }
    out.push('');
  }
  stdout.write(out.join('\n'));
  return 0;
}
