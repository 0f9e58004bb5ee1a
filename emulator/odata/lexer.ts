/**
 * OData stage 1, the lexer: a $filter string to tokens (identifiers, quoted strings with
 * doubled-quote escapes, numbers, ISO dates, punctuation). Separate so the parser sees decoded
 * literals and a character Graph would refuse fails here with Graph's position in the text.
 */
import { filterSyntaxError } from './errors.ts';

export type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'guid' | '(' | ')' | ',' | '/' | ':' | 'eof';

export interface Token {
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
