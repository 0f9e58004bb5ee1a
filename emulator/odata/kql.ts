/**
 * $search, part 1: the KQL subset Exchange accepts on messages, parsed to a tree (terms,
 * property:value / property>=value, AND/OR/NOT, parentheses, quoted phrases). Separate from
 * OData's $filter lexer and parser: KQL has its own lenient grammar (implicit AND, unknown
 * properties read as free text, no syntax errors).
 */

export type KqlNode =
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

export function parseKql(input: string): KqlNode | undefined {
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
