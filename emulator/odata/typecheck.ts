/**
 * OData stage 3, the type check: walks a $filter tree against an entity schema, resolves
 * property paths (case-insensitively, keeping the canonical spelling) and refuses what Graph
 * refuses (unknown property, incompatible operands, non-boolean filter) with Graph's code and
 * text. Separate so a bad request fails before evaluation instead of quietly matching nothing.
 */
import type { EmulatorError } from '../errors.ts';
import { parseUriError, unknownProperty } from './errors.ts';
import type { CompareOp, Expr, Literal } from './parser.ts';
import { bool, canonicalName, complex, dt, prim, str, type EdmPrimitive, type EntitySchema, type PropType } from './schema.ts';

const OP_KIND: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

/** Static type of an expression; `unknown` when there is no schema to say. */
export type StaticType = PropType | { kind: 'null' } | { kind: 'unknown' };

const EDM_NAME: Record<string, string> = { string: 'Edm.String', number: 'Edm.Int32', boolean: 'Edm.Boolean' };

function typeName(t: StaticType): string {
  switch (t.kind) {
    case 'primitive':
      return t.edm;
    case 'enum':
      return t.name;
    case 'complex':
      return t.type.name;
    case 'collection':
      return `Collection(${typeName(t.of)})`;
    default:
      return '<null>';
  }
}

function literalType(value: Literal): StaticType {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'object') return dt;
  return prim(EDM_NAME[typeof value] as EdmPrimitive);
}

/** Comparable families: two operands may be compared only within one family. */
function family(t: StaticType): string {
  if (t.kind === 'enum') return 'string';
  if (t.kind !== 'primitive') return t.kind;
  switch (t.edm) {
    case 'Edm.String':
    case 'Edm.Binary':
      return 'string';
    case 'Edm.Int32':
    case 'Edm.Int64':
      return 'number';
    case 'Edm.DateTimeOffset':
      return 'datetime';
    default:
      return 'boolean';
  }
}

export interface CheckContext {
  schema?: EntitySchema;
  /** Lambda variables in scope and the element type they range over. */
  scope: Map<string, StaticType>;
  /** Top-level properties in the order the filter mentions them (for InefficientFilter). */
  mentioned: string[];
}

export function resolvePath(path: Expr & { type: 'path' }, ctx: CheckContext): StaticType {
  let current: StaticType;
  if (path.root !== undefined) {
    current = ctx.scope.get(path.root) ?? { kind: 'unknown' };
  } else {
    current = ctx.schema ? complex(ctx.schema) : { kind: 'unknown' };
    const head = path.segments[0];
    if (head !== undefined) ctx.mentioned.push(canonicalName(ctx.schema, head) ?? head);
  }
  const segments = path.segments;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (current.kind === 'unknown') return current;
    if (current.kind === 'collection') {
      throw parseUriError(
        ctx.schema,
        `The parent value for a property access of a property '${seg}' is not a single value. Property access can only be applied to a single value.`,
      );
    }
    if (current.kind !== 'complex') throw unknownProperty(ctx.schema, seg, typeName(current));
    const name = canonicalName(current.type, seg);
    if (name === undefined) throw unknownProperty(ctx.schema, seg, current.type.name);
    segments[i] = name;
    current = current.type.properties[name]!;
  }
  return current;
}

export function check(expr: Expr, ctx: CheckContext): StaticType {
  switch (expr.type) {
    case 'literal':
      return literalType(expr.value);
    case 'path':
      return resolvePath(expr, ctx);
    case 'and':
    case 'or': {
      requireBoolean(check(expr.left, ctx), ctx, expr.type);
      requireBoolean(check(expr.right, ctx), ctx, expr.type);
      return bool;
    }
    case 'not':
      requireBoolean(check(expr.operand, ctx), ctx, 'not');
      return bool;
    case 'compare': {
      const l = check(expr.left, ctx);
      const r = check(expr.right, ctx);
      if (l.kind === 'null' || r.kind === 'null') {
        // `from eq null` is how a missing complex value is tested; ordering against null is not.
        if ((isStructured(l) || isStructured(r)) && expr.op !== 'eq' && expr.op !== 'ne') throw incompatible(ctx, l, r, expr.op);
        return bool;
      }
      if (l.kind === 'unknown' || r.kind === 'unknown') {
        if (isStructured(l) || isStructured(r)) throw incompatible(ctx, l, r, expr.op);
        return bool;
      }
      if (family(l) !== family(r) || isStructured(l)) throw incompatible(ctx, l, r, expr.op);
      if (family(l) === 'boolean' && expr.op !== 'eq' && expr.op !== 'ne') throw incompatible(ctx, l, r, expr.op);
      return bool;
    }
    case 'call': {
      const argTypes = expr.args.map((a) => check(a, ctx));
      for (const t of argTypes) {
        if (t.kind !== 'unknown' && t.kind !== 'null' && family(t) !== 'string') {
          throw parseUriError(ctx.schema, `No function signature for the function with name '${expr.name}' matches the specified arguments. The function signatures considered are: ${expr.name}(Edm.String Nullable=true, Edm.String).`);
        }
      }
      return expr.name === 'contains' || expr.name === 'startswith' || expr.name === 'endswith' ? bool : str;
    }
    case 'lambda': {
      const collectionType = resolvePath(expr.collection, ctx);
      if (collectionType.kind !== 'collection' && collectionType.kind !== 'unknown') {
        throw parseUriError(ctx.schema, `The '${expr.quantifier}' query option is applied to a property that is not a collection.`);
      }
      if (expr.predicate !== undefined && expr.variable !== undefined) {
        const elementType: StaticType = collectionType.kind === 'collection' ? collectionType.of : { kind: 'unknown' };
        const scope = new Map(ctx.scope).set(expr.variable, elementType);
        requireBoolean(check(expr.predicate, { ...ctx, scope, mentioned: [] }), ctx, expr.quantifier);
      }
      return bool;
    }
  }
}

export function isStructured(t: StaticType): boolean {
  return t.kind === 'complex' || t.kind === 'collection';
}

export function requireBoolean(t: StaticType, ctx: CheckContext, where: string): void {
  if (t.kind === 'unknown' || (t.kind === 'primitive' && t.edm === 'Edm.Boolean')) return;
  throw parseUriError(ctx.schema, `The operand for a binary operator '${where}' is not a single value of type 'Edm.Boolean'.`);
}

function incompatible(ctx: CheckContext, l: StaticType, r: StaticType, op: CompareOp): EmulatorError {
  return parseUriError(
    ctx.schema,
    `A binary operator with incompatible types was detected. Found operand types '${typeName(l)}' and '${typeName(r)}' for operator kind '${OP_KIND[op]}'.`,
  );
}
