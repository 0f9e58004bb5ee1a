/**
 * OData stage 2, the parser: $filter tokens to an expression tree (or / and / not, comparisons,
 * function calls, property paths, any/all lambdas). Separate so it knows grammar only; whether
 * a path exists or two operands may be compared is the type check's business.
 */
import type { EmulatorError } from '../errors.ts';
import { filterSyntaxError } from './errors.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';

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

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
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
