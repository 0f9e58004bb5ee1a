/**
 * OData query options for the emulator's collections: $filter, $orderby, $select and the KQL
 * subset of $search that Exchange accepts on messages.
 *
 * $filter is tokenized, parsed into an AST, type-checked against an entity schema and only
 * then turned into a predicate, so that a request Graph would reject fails here with the
 * same code and text instead of quietly matching nothing.
 */
import { EmulatorError } from './errors.ts';

// ---------------------------------------------------------------------------------------
// Schemas

export type EdmPrimitive = 'Edm.String' | 'Edm.DateTimeOffset' | 'Edm.Boolean' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Binary';

export type PropType =
  | { kind: 'primitive'; edm: EdmPrimitive }
  /** Enums compare with string literals (`importance eq 'high'`) as Graph allows. */
  | { kind: 'enum'; name: string }
  | { kind: 'complex'; type: ComplexType }
  | { kind: 'collection'; of: PropType };

export interface ComplexType {
  /** The name Graph prints in "Could not find a property named ... on type '...'". */
  name: string;
  properties: Record<string, PropType>;
}

export interface EntitySchema extends ComplexType {
  /** The error code Graph's URI parser uses for this workload. */
  parseErrorCode: string;
  /** Properties $orderby may not use even though they are primitive. */
  unsortable?: string[];
}

const prim = (edm: EdmPrimitive): PropType => ({ kind: 'primitive', edm });
const str = prim('Edm.String');
const dt = prim('Edm.DateTimeOffset');
const bool = prim('Edm.Boolean');
const int = prim('Edm.Int32');
const enumOf = (name: string): PropType => ({ kind: 'enum', name });
const complex = (type: ComplexType): PropType => ({ kind: 'complex', type });
const collection = (of: PropType): PropType => ({ kind: 'collection', of });

const emailAddressType: ComplexType = {
  name: 'Microsoft.OutlookServices.EmailAddress',
  properties: { name: str, address: str },
};
const recipient = complex({ name: 'Microsoft.OutlookServices.Recipient', properties: { emailAddress: complex(emailAddressType) } });
const itemBody = complex({ name: 'Microsoft.OutlookServices.ItemBody', properties: { contentType: enumOf('Microsoft.OutlookServices.BodyType'), content: str } });
const dateTimeTimeZone = complex({ name: 'Microsoft.OutlookServices.DateTimeTimeZone', properties: { dateTime: str, timeZone: str } });

export const messageSchema: EntitySchema = {
  name: 'Microsoft.OutlookServices.Message',
  parseErrorCode: 'RequestBroker--ParseUri',
  unsortable: ['body', 'uniqueBody', 'internetMessageHeaders'],
  properties: {
    id: str,
    createdDateTime: dt,
    lastModifiedDateTime: dt,
    changeKey: str,
    categories: collection(str),
    receivedDateTime: dt,
    sentDateTime: dt,
    hasAttachments: bool,
    internetMessageId: str,
    internetMessageHeaders: collection(complex({ name: 'Microsoft.OutlookServices.InternetMessageHeader', properties: { name: str, value: str } })),
    subject: str,
    bodyPreview: str,
    importance: enumOf('Microsoft.OutlookServices.Importance'),
    parentFolderId: str,
    conversationId: str,
    conversationIndex: prim('Edm.Binary'),
    isDeliveryReceiptRequested: bool,
    isReadReceiptRequested: bool,
    isRead: bool,
    isDraft: bool,
    webLink: str,
    inferenceClassification: enumOf('Microsoft.OutlookServices.InferenceClassificationType'),
    body: itemBody,
    uniqueBody: itemBody,
    sender: recipient,
    from: recipient,
    toRecipients: collection(recipient),
    ccRecipients: collection(recipient),
    bccRecipients: collection(recipient),
    replyTo: collection(recipient),
    flag: complex({
      name: 'Microsoft.OutlookServices.FollowupFlag',
      properties: { flagStatus: enumOf('Microsoft.OutlookServices.FollowupFlagStatus'), startDateTime: dateTimeTimeZone, dueDateTime: dateTimeTimeZone, completedDateTime: dateTimeTimeZone },
    }),
  },
};

export const mailFolderSchema: EntitySchema = {
  name: 'Microsoft.OutlookServices.MailFolder',
  parseErrorCode: 'RequestBroker--ParseUri',
  properties: {
    id: str,
    displayName: str,
    parentFolderId: str,
    childFolderCount: int,
    unreadItemCount: int,
    totalItemCount: int,
    isHidden: bool,
    wellKnownName: str,
    sizeInBytes: prim('Edm.Int64'),
  },
};

export const userSchema: EntitySchema = {
  name: 'microsoft.graph.user',
  parseErrorCode: 'Request_BadRequest',
  properties: {
    id: str,
    displayName: str,
    userPrincipalName: str,
    mail: str,
    givenName: str,
    surname: str,
    jobTitle: str,
    accountEnabled: bool,
    userType: str,
    mailNickname: str,
    otherMails: collection(str),
    proxyAddresses: collection(str),
  },
};

// ---------------------------------------------------------------------------------------
// Errors (Graph's texts; codes per workload)

function filterSyntaxError(message: string): EmulatorError {
  return new EmulatorError(400, 'BadRequest', `Invalid filter clause: ${message}`);
}

function parseUriError(schema: EntitySchema | undefined, message: string): EmulatorError {
  return new EmulatorError(400, schema?.parseErrorCode ?? 'BadRequest', message);
}

function unknownProperty(schema: EntitySchema | undefined, name: string, typeName: string): EmulatorError {
  return parseUriError(schema, `Could not find a property named '${name}' on type '${typeName}'.`);
}

export const odataErrors = {
  inefficientFilter: () =>
    new EmulatorError(400, 'InefficientFilter', 'The restriction or sort order is too complex for this operation.'),
  searchWithFilter: () =>
    new EmulatorError(400, 'SearchWithFilter', "The query parameter '$filter' is not supported with '$search'."),
  searchWithOrderBy: () =>
    new EmulatorError(400, 'SearchWithOrderBy', "The query parameter '$orderBy' is not supported with '$search'."),
};

// ---------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'guid' | '(' | ')' | ',' | '/' | ':' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value for string / number / datetime literals. */
  value?: string | number;
  pos: number;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_.]*/;

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if ('(),/:'.includes(c)) {
      tokens.push({ kind: c as TokenKind, text: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw filterSyntaxError(`Unterminated string literal at position ${input.length} in '${input}'.`);
        if (input[i] === "'") {
          // OData escapes a quote inside a literal by doubling it.
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += input[i];
        i++;
      }
      tokens.push({ kind: 'string', text: input.slice(start, i), value, pos: start });
      continue;
    }
    const rest = input.slice(i);
    const dtMatch = DATETIME_RE.exec(rest);
    if (dtMatch && dtMatch[0].length >= 10 && !/[A-Za-z0-9]/.test(rest[dtMatch[0].length] ?? '')) {
      const iso = dtMatch[0].length === 10 ? `${dtMatch[0]}T00:00:00Z` : dtMatch[0];
      const ms = Date.parse(iso);
      if (Number.isNaN(ms)) throw filterSyntaxError(`Syntax error at position ${i} in '${input}'.`);
      tokens.push({ kind: 'datetime', text: dtMatch[0], value: ms, pos: i });
      i += dtMatch[0].length;
      continue;
    }
    const numMatch = NUMBER_RE.exec(rest);
    if (numMatch) {
      tokens.push({ kind: 'number', text: numMatch[0], value: Number(numMatch[0]), pos: i });
      i += numMatch[0].length;
      continue;
    }
    const identMatch = IDENT_RE.exec(rest);
    if (identMatch) {
      tokens.push({ kind: 'ident', text: identMatch[0], pos: i });
      i += identMatch[0].length;
      continue;
    }
    throw filterSyntaxError(`Syntax error: character '${c}' is not valid at position ${i} in '${input}'.`);
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------
// Parser

export type Literal = string | number | boolean | null | { datetime: number };

export type Expr =
  | { type: 'literal'; value: Literal; pos: number }
  /** `root` is a lambda variable name, or undefined for the entity itself. */
  | { type: 'path'; root?: string; segments: string[]; pos: number }
  | { type: 'call'; name: string; args: Expr[]; pos: number }
  | { type: 'compare'; op: CompareOp; left: Expr; right: Expr; pos: number }
  | { type: 'and' | 'or'; left: Expr; right: Expr; pos: number }
  | { type: 'not'; operand: Expr; pos: number }
  | { type: 'lambda'; quantifier: 'any' | 'all'; collection: Expr & { type: 'path' }; variable?: string; predicate?: Expr; pos: number };

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const OP_KIND: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const RESERVED = new Set<string>([...COMPARE_OPS, 'and', 'or', 'not']);
const FUNCTIONS: Record<string, number> = { contains: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1, trim: 1 };

class Parser {
  private i = 0;
  private readonly variables: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parseAll(): Expr {
    if (this.peek().kind === 'eof') throw filterSyntaxError(`Expression expected at position 0 in '${this.source}'.`);
    const expr = this.parseOr();
    if (this.peek().kind !== 'eof') throw this.syntaxError(this.peek());
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word;
  }

  private syntaxError(t: Token): EmulatorError {
    return filterSyntaxError(`Syntax error at position ${t.pos} in '${this.source}'.`);
  }

  private expect(kind: TokenKind): Token {
    const t = this.peek();
    if (t.kind !== kind) {
      if (kind === ')') throw filterSyntaxError(`')' or ',' expected at position ${t.pos} in '${this.source}'.`);
      throw this.syntaxError(t);
    }
    return this.next();
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      const pos = this.next().pos;
      left = { type: 'or', left, right: this.parseAnd(), pos };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      const pos = this.next().pos;
      left = { type: 'and', left, right: this.parseUnary(), pos };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isKeyword('not')) {
      const pos = this.next().pos;
      return { type: 'not', operand: this.parseUnary(), pos };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const t = this.peek();
    if (t.kind === 'ident' && COMPARE_OPS.has(t.text)) {
      this.next();
      const right = this.parsePrimary();
      return { type: 'compare', op: t.text as CompareOp, left, right, pos: t.pos };
    }
    return left;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case '(': {
        this.next();
        const inner = this.parseOr();
        this.expect(')');
        return inner;
      }
      case 'string':
        this.next();
        return { type: 'literal', value: t.value as string, pos: t.pos };
      case 'number':
        this.next();
        return { type: 'literal', value: t.value as number, pos: t.pos };
      case 'datetime':
        this.next();
        return { type: 'literal', value: { datetime: t.value as number }, pos: t.pos };
      case 'ident':
        break;
      case 'eof':
        throw filterSyntaxError(`Expression expected at position ${t.pos} in '${this.source}'.`);
      default:
        throw this.syntaxError(t);
    }
    if (t.text === 'true' || t.text === 'false') {
      this.next();
      return { type: 'literal', value: t.text === 'true', pos: t.pos };
    }
    if (t.text === 'null') {
      this.next();
      return { type: 'literal', value: null, pos: t.pos };
    }
    // An operator where an operand belongs is a syntax error, not a property named 'eq'.
    if (RESERVED.has(t.text)) throw this.syntaxError(t);
    if (this.peek(1).kind === '(') return this.parseCall();
    return this.parsePath();
  }

  private parseCall(): Expr {
    const nameTok = this.next();
    const name = nameTok.text;
    if (!(name in FUNCTIONS)) {
      throw filterSyntaxError(
        `An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    this.expect('(');
    const args: Expr[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.parseOr());
      while (this.peek().kind === ',') {
        this.next();
        args.push(this.parseOr());
      }
    }
    this.expect(')');
    if (args.length !== FUNCTIONS[name]) {
      throw filterSyntaxError(`No function signature for the function with name '${name}' matches the specified arguments.`);
    }
    return { type: 'call', name, args, pos: nameTok.pos };
  }

  private parsePath(): Expr {
    const first = this.next();
    const path: Expr & { type: 'path' } = { type: 'path', segments: [], pos: first.pos };
    if (this.variables.includes(first.text)) path.root = first.text;
    else path.segments.push(first.text);
    while (this.peek().kind === '/') {
      this.next();
      const seg = this.expect('ident');
      if ((seg.text === 'any' || seg.text === 'all') && this.peek().kind === '(') {
        return this.parseLambda(path, seg.text, seg.pos);
      }
      path.segments.push(seg.text);
    }
    return path;
  }

  private parseLambda(collection: Expr & { type: 'path' }, quantifier: 'any' | 'all', pos: number): Expr {
    this.expect('(');
    if (this.peek().kind === ')') {
      this.next();
      if (quantifier === 'all') throw this.syntaxError(this.peek());
      return { type: 'lambda', quantifier, collection, pos };
    }
    const variable = this.expect('ident').text;
    this.expect(':');
    this.variables.push(variable);
    const predicate = this.parseOr();
    this.variables.pop();
    this.expect(')');
    return { type: 'lambda', quantifier, collection, variable, predicate, pos };
  }
}

export function parseFilter(filter: string): Expr {
  return new Parser(tokenize(filter), filter).parseAll();
}

// ---------------------------------------------------------------------------------------
// Type checking

/** Static type of an expression; `unknown` when there is no schema to say. */
type StaticType = PropType | { kind: 'null' } | { kind: 'unknown' };

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

interface CheckContext {
  schema?: EntitySchema;
  /** Lambda variables in scope and the element type they range over. */
  scope: Map<string, StaticType>;
  /** Top-level properties in the order the filter mentions them (for InefficientFilter). */
  mentioned: string[];
}

function resolvePath(path: Expr & { type: 'path' }, ctx: CheckContext): StaticType {
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

/** Exchange matches property names case-insensitively; the canonical spelling is kept. */
function canonicalName(type: ComplexType | undefined, name: string): string | undefined {
  if (!type) return undefined;
  if (name in type.properties) return name;
  const lower = name.toLowerCase();
  return Object.keys(type.properties).find((k) => k.toLowerCase() === lower);
}

function check(expr: Expr, ctx: CheckContext): StaticType {
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

function isStructured(t: StaticType): boolean {
  return t.kind === 'complex' || t.kind === 'collection';
}

function requireBoolean(t: StaticType, ctx: CheckContext, where: string): void {
  if (t.kind === 'unknown' || (t.kind === 'primitive' && t.edm === 'Edm.Boolean')) return;
  throw parseUriError(ctx.schema, `The operand for a binary operator '${where}' is not a single value of type 'Edm.Boolean'.`);
}

function incompatible(ctx: CheckContext, l: StaticType, r: StaticType, op: CompareOp): EmulatorError {
  return parseUriError(
    ctx.schema,
    `A binary operator with incompatible types was detected. Found operand types '${typeName(l)}' and '${typeName(r)}' for operator kind '${OP_KIND[op]}'.`,
  );
}

// ---------------------------------------------------------------------------------------
// Evaluation

type Env = Map<string, unknown>;

function getPath(obj: unknown, segments: string[]): unknown {
  let current = obj;
  for (const seg of segments) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[seg];
  }
  return current === undefined ? null : current;
}

function evaluate(expr: Expr, obj: Record<string, unknown>, env: Env): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'path':
      return getPath(expr.root !== undefined ? env.get(expr.root) : obj, expr.segments);
    case 'and':
      return evaluate(expr.left, obj, env) === true && evaluate(expr.right, obj, env) === true;
    case 'or':
      return evaluate(expr.left, obj, env) === true || evaluate(expr.right, obj, env) === true;
    case 'not':
      return evaluate(expr.operand, obj, env) !== true;
    case 'compare':
      return compareValues(evaluate(expr.left, obj, env), evaluate(expr.right, obj, env), expr.op);
    case 'call':
      return callFunction(expr.name, expr.args.map((a) => evaluate(a, obj, env)));
    case 'lambda': {
      const items = evaluate(expr.collection, obj, env);
      const list = Array.isArray(items) ? items : [];
      if (expr.predicate === undefined || expr.variable === undefined) return list.length > 0;
      const test = (item: unknown): boolean => evaluate(expr.predicate!, obj, new Map(env).set(expr.variable!, item)) === true;
      return expr.quantifier === 'any' ? list.some(test) : list.every(test);
    }
  }
}

function callFunction(name: string, args: unknown[]): unknown {
  const [a, b] = args.map((v) => (typeof v === 'string' ? v : null));
  switch (name) {
    case 'tolower':
      return a?.toLowerCase() ?? null;
    case 'toupper':
      return a?.toUpperCase() ?? null;
    case 'trim':
      return a?.trim() ?? null;
  }
  if (a == null || b == null) return false;
  // Exchange string matching ignores case.
  const hay = a.toLowerCase();
  const needle = b.toLowerCase();
  if (name === 'contains') return hay.includes(needle);
  if (name === 'startswith') return hay.startsWith(needle);
  return hay.endsWith(needle);
}

/** Normalises a runtime value to something `<` can order; undefined when incomparable. */
function comparable(v: unknown, asDate: boolean): string | number | boolean | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'datetime' in (v as object)) return (v as { datetime: number }).datetime;
  if (asDate && typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

function isDateLiteral(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'datetime' in v;
}

function compareValues(left: unknown, right: unknown, op: CompareOp): boolean {
  if (left === null || left === undefined || right === null || right === undefined) {
    const same = (left ?? null) === (right ?? null);
    // Like SQL, ordering against null is never true.
    return op === 'eq' ? same : op === 'ne' ? !same : false;
  }
  const asDate = isDateLiteral(left) || isDateLiteral(right);
  const l = comparable(left, asDate);
  const r = comparable(right, asDate);
  if (l === undefined || r === undefined) return false;
  if (op === 'eq') return l === r;
  if (op === 'ne') return l !== r;
  if (l === null || r === null || typeof l !== typeof r) return false;
  switch (op) {
    case 'gt':
      return l > r;
    case 'ge':
      return l >= r;
    case 'lt':
      return l < r;
    default:
      return l <= r;
  }
}

// ---------------------------------------------------------------------------------------
// Public compilers

interface CompiledFilter {
  predicate: (obj: Record<string, unknown>) => boolean;
  /** Top-level properties in order of first mention. */
  properties: string[];
}

function compileFilterDetailed(filter: string, schema?: EntitySchema): CompiledFilter {
  const ast = parseFilter(filter);
  const ctx: CheckContext = { schema, scope: new Map(), mentioned: [] };
  requireBoolean(check(ast, ctx), ctx, 'filter');
  const properties = [...new Set(ctx.mentioned)];
  return { predicate: (obj) => evaluate(ast, obj, new Map()) === true, properties };
}

/**
 * A $filter predicate. With a schema, unknown properties and mistyped comparisons are
 * rejected the way Graph rejects them; without one, any property path is accepted and a
 * missing property reads as null.
 */
export function compileFilter(filter: string, schema?: EntitySchema): (obj: Record<string, unknown>) => boolean {
  return compileFilterDetailed(filter, schema).predicate;
}

export interface OrderByKey {
  path: string[];
  descending: boolean;
}

export function parseOrderBy(orderby: string, schema?: EntitySchema): OrderByKey[] {
  const keys: OrderByKey[] = [];
  for (const raw of orderby.split(',')) {
    const part = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m) throw parseUriError(schema, `Syntax error at position ${Math.max(0, orderby.indexOf(part))} in '${orderby}'.`);
    const path = { type: 'path', segments: m[1]!.split('/'), pos: 0 } as Expr & { type: 'path' };
    const t = resolvePath(path, { schema, scope: new Map(), mentioned: [] });
    if (isStructured(t) || (schema?.unsortable ?? []).includes(path.segments[0]!)) {
      throw parseUriError(schema, `The $orderby expression must evaluate to a single value of primitive type.`);
    }
    keys.push({ path: path.segments, descending: (m[2] ?? 'asc').toLowerCase() === 'desc' });
  }
  return keys;
}

export function compileOrderBy(
  orderby: string,
  schema?: EntitySchema,
): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const keys = parseOrderBy(orderby, schema);
  return (a, b) => {
    for (const key of keys) {
      const c = compareForSort(getPath(a, key.path), getPath(b, key.path));
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  };
}

function compareForSort(a: unknown, b: unknown): number {
  // Nulls sort first ascending, as Exchange does.
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const da = isoDateMs(a);
    const db = isoDateMs(b);
    if (da !== undefined && db !== undefined) return da - db;
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function isoDateMs(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

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

export interface MessageQuery {
  filter?: string;
  orderby?: string;
  search?: string;
  select?: string;
}

export interface CompiledMessageQuery {
  /** $filter and $search together. */
  matches(msg: Record<string, unknown>): boolean;
  /** From $orderby; undefined when absent (the caller applies Graph's default order). */
  compare?(a: Record<string, unknown>, b: Record<string, unknown>): number;
  /** $select; always keeps id and @odata.etag. */
  project(msg: Record<string, unknown>): Record<string, unknown>;
}

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

export function compileMessageQuery(q: MessageQuery): CompiledMessageQuery {
  if (present(q.search)) {
    if (present(q.filter)) throw odataErrors.searchWithFilter();
    if (present(q.orderby)) throw odataErrors.searchWithOrderBy();
  }
  const filter = present(q.filter) ? compileFilterDetailed(q.filter, messageSchema) : undefined;
  const compare = present(q.orderby) ? compileOrderBy(q.orderby, messageSchema) : undefined;
  if (filter && present(q.orderby)) {
    assertEfficientFilter(filter.properties, parseOrderBy(q.orderby, messageSchema).map((k) => k.path.join('/')));
  }
  const search = present(q.search) ? compileSearch(q.search) : undefined;
  const project = present(q.select) ? compileSelect(q.select, messageSchema) : (m: Record<string, unknown>) => m;
  const result: CompiledMessageQuery = {
    matches: (msg) => (filter ? filter.predicate(msg) : true) && (search ? search(msg) : true),
    project,
  };
  if (compare) result.compare = compare;
  return result;
}

/**
 * Exchange's rule for $filter with $orderby on messages: the $orderby properties must be
 * the first properties the $filter mentions, in the same order.
 */
function assertEfficientFilter(filterProps: string[], orderProps: string[]): void {
  const filterTops = [...new Set(filterProps.map((p) => p.split('/')[0]!))];
  const orderTops = orderProps.map((p) => p.split('/')[0]!);
  for (let i = 0; i < orderTops.length; i++) {
    if (filterTops[i] !== orderTops[i]) throw odataErrors.inefficientFilter();
  }
}

// ---------------------------------------------------------------------------------------
// $search (KQL subset)

type KqlNode =
  | { type: 'term'; property?: string; op: ':' | '=' | '>' | '>=' | '<' | '<='; value: string }
  | { type: 'and' | 'or'; left: KqlNode; right: KqlNode }
  | { type: 'not'; operand: KqlNode };

type KqlToken = { kind: 'word'; text: string; quoted: boolean } | { kind: '(' | ')' };

function kqlTokenize(input: string): KqlToken[] {
  const tokens: KqlToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c });
      i++;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < input.length && !/[\s()]/.test(input[i]!)) {
      if (input[i] === '"') {
        // A quoted phrase may be a whole token or the value after `property:`.
        const end = input.indexOf('"', i + 1);
        const stop = end < 0 ? input.length : end;
        text += input.slice(i + 1, stop);
        quoted = true;
        i = stop + 1;
        continue;
      }
      text += input[i];
      i++;
    }
    tokens.push({ kind: 'word', text, quoted });
  }
  return tokens;
}

const KQL_PROPERTIES = new Set([
  'from', 'to', 'cc', 'bcc', 'participants', 'recipients', 'subject', 'body', 'attachment',
  'hasattachment', 'hasattachments', 'importance', 'received', 'sent', 'kind', 'size',
]);

function parseKql(input: string): KqlNode | undefined {
  const tokens = kqlTokenize(input);
  let i = 0;
  const peekWord = (w: string): boolean => {
    const t = tokens[i];
    return t !== undefined && t.kind === 'word' && !t.quoted && t.text === w;
  };
  const parseOr = (): KqlNode | undefined => {
    let left = parseAnd();
    while (left && peekWord('OR')) {
      i++;
      const right = parseAnd();
      if (right) left = { type: 'or', left, right };
    }
    return left;
  };
  const parseAnd = (): KqlNode | undefined => {
    let left = parseUnary();
    for (;;) {
      const t = tokens[i];
      if (t === undefined || t.kind === ')' || peekWord('OR')) return left;
      if (peekWord('AND')) i++;
      const right = parseUnary();
      if (!right) return left;
      left = left ? { type: 'and', left, right } : right;
    }
  };
  const parseUnary = (): KqlNode | undefined => {
    if (peekWord('NOT')) {
      i++;
      const operand = parseUnary();
      return operand ? { type: 'not', operand } : undefined;
    }
    const t = tokens[i];
    if (t === undefined) return undefined;
    i++;
    if (t.kind === '(') {
      const inner = parseOr();
      if (tokens[i]?.kind === ')') i++;
      return inner;
    }
    if (t.kind !== 'word') return undefined;
    return kqlTerm(t.text, t.quoted);
  };
  return parseOr();
}

function kqlTerm(text: string, quoted: boolean): KqlNode {
  if (!quoted || text.includes(':')) {
    const m = /^([A-Za-z]+)(>=|<=|:|=|>|<)(.*)$/.exec(text);
    if (m && KQL_PROPERTIES.has(m[1]!.toLowerCase())) {
      return { type: 'term', property: m[1]!.toLowerCase(), op: m[2] as ':' | '=' | '>' | '>=' | '<' | '<=', value: m[3]! };
    }
  }
  return { type: 'term', op: ':', value: text };
}

/** $search on messages: "term", property:value, AND/OR/NOT, parentheses. */
export function compileSearch(search: string): (msg: Record<string, unknown>) => boolean {
  let text = search.trim();
  // The whole KQL query travels inside one pair of double quotes.
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  text = text.replace(/\\"/g, '"');
  const ast = parseKql(text);
  if (!ast) return () => true;
  return (msg) => evalKql(ast, msg);
}

function evalKql(node: KqlNode, msg: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'and':
      return evalKql(node.left, msg) && evalKql(node.right, msg);
    case 'or':
      return evalKql(node.left, msg) || evalKql(node.right, msg);
    case 'not':
      return !evalKql(node.operand, msg);
    case 'term':
      return matchTerm(node, msg);
  }
}

function recipientTexts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: string[] = [];
  for (const r of list) {
    const email = (r as { emailAddress?: { name?: unknown; address?: unknown } } | null)?.emailAddress;
    if (typeof email?.name === 'string') out.push(email.name);
    if (typeof email?.address === 'string') out.push(email.address);
  }
  return out;
}

function bodyText(msg: Record<string, unknown>): string {
  const body = msg.body as { content?: unknown } | undefined;
  const content = typeof body?.content === 'string' ? body.content : '';
  return `${content.replace(/<[^>]*>/g, ' ')} ${typeof msg.bodyPreview === 'string' ? msg.bodyPreview : ''}`;
}

function anyContains(texts: string[], needle: string): boolean {
  const n = needle.toLowerCase();
  return texts.some((t) => t.toLowerCase().includes(n));
}

function matchTerm(term: Extract<KqlNode, { type: 'term' }>, msg: Record<string, unknown>): boolean {
  const value = term.value;
  const str = (k: string): string => (typeof msg[k] === 'string' ? (msg[k] as string) : '');
  switch (term.property) {
    case undefined:
      return anyContains([str('subject'), bodyText(msg), ...recipientTexts(msg.from)], value);
    case 'from':
      return anyContains(recipientTexts(msg.from), value);
    case 'to':
      return anyContains(recipientTexts(msg.toRecipients), value);
    case 'cc':
      return anyContains(recipientTexts(msg.ccRecipients), value);
    case 'bcc':
      return anyContains(recipientTexts(msg.bccRecipients), value);
    case 'recipients':
      return anyContains([...recipientTexts(msg.toRecipients), ...recipientTexts(msg.ccRecipients), ...recipientTexts(msg.bccRecipients)], value);
    case 'participants':
      return anyContains(
        [...recipientTexts(msg.from), ...recipientTexts(msg.toRecipients), ...recipientTexts(msg.ccRecipients), ...recipientTexts(msg.bccRecipients)],
        value,
      );
    case 'subject':
      return anyContains([str('subject')], value);
    case 'body':
      return anyContains([bodyText(msg)], value);
    case 'attachment': {
      const names = Array.isArray(msg.attachments)
        ? (msg.attachments as { name?: unknown }[]).map((a) => (typeof a.name === 'string' ? a.name : ''))
        : [];
      return anyContains(names, value);
    }
    case 'hasattachment':
    case 'hasattachments':
      return String(msg.hasAttachments === true) === value.toLowerCase();
    case 'importance': {
      const v = value.toLowerCase() === 'medium' ? 'normal' : value.toLowerCase();
      return str('importance').toLowerCase() === v;
    }
    case 'kind':
      return value.toLowerCase() === 'email';
    case 'received':
    case 'sent':
      return matchDate(str(term.property === 'received' ? 'receivedDateTime' : 'sentDateTime'), term.op, value);
    case 'size': {
      const size = typeof msg.size === 'number' ? msg.size : 0;
      const range = /^(\d+)\.\.(\d+)$/.exec(value);
      if (range) return size >= Number(range[1]) && size <= Number(range[2]);
      return compareOrdered(size, Number(value), term.op);
    }
    default:
      return false;
  }
}

/** KQL dates: M/D/YYYY or YYYY-MM-DD, matched by UTC day. */
function parseKqlDay(value: string): number | undefined {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (m) return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return undefined;
}

const DAY_MS = 86_400_000;

function matchDate(iso: string, op: string, value: string): boolean {
  const ms = Date.parse(iso);
  const day = parseKqlDay(value);
  if (Number.isNaN(ms) || day === undefined) return false;
  const msgDay = Math.floor(ms / DAY_MS) * DAY_MS;
  return compareOrdered(msgDay, day, op);
}

function compareOrdered(a: number, b: number, op: string): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return a === b;
  }
}
