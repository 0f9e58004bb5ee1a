/**
 * $select: the projection of a stored object onto the requested properties (canonical
 * spelling from the schema), always keeping `id` and OData annotations. Separate because it is
 * the one stage that shapes the answer rather than choosing which objects are in it.
 */
import { parseUriError, unknownProperty } from './errors.ts';
import { canonicalName, type EntitySchema } from './schema.ts';

/** $select: a projection that always keeps `id` and OData annotations. */
export function compileSelect(select: string, schema?: EntitySchema): (obj: Record<string, unknown>) => Record<string, unknown> {
  const names: string[] = [];
  for (const raw of select.split(',')) {
    const name = raw.trim();
    if (name === '') throw parseUriError(schema, `Syntax error at position ${select.length} in '${select}'.`);
    if (name === '*') return (obj) => obj;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw parseUriError(schema, `Term '${name}' is not valid in a $select or $expand expression.`);
    }
    const canonical = schema ? canonicalName(schema, name) : name;
    if (canonical === undefined) throw unknownProperty(schema, name, schema!.name);
    names.push(canonical);
  }
  const keep = new Set(['id', ...names]);
  return (obj) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k.startsWith('@odata.') || keep.has(k)) out[k] = v;
    }
    return out;
  };
}
