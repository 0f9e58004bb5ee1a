import { describe, expect, it } from 'vitest';
import { applyRegexMap, compileUserRegex, parseRegexMap, UserRegexError } from '../../src/mail/regex.ts';

const TEXT = 'from 10.0.0.1 via 192.168.1.20; see https://evil.example/a and http://b.example';

describe('parseRegexMap', () => {
  it('reads the JSON form and finds all matches per key', () => {
    const map = parseRegexMap('{"ips": "\\\\b\\\\d{1,3}(?:\\\\.\\\\d{1,3}){3}\\\\b", "urls": "https?://\\\\S+"}');
    expect(applyRegexMap(map, TEXT)).toEqual({
      ips: ['10.0.0.1', '192.168.1.20'],
      urls: ['https://evil.example/a', 'http://b.example'],
    });
  });

  it('reads the loose form of the docs, over-escaped backslashes included', () => {
    const docsExample = String.raw`{ips: \\b\\\\d{1,3}\\\\.\\\\d{1,3}\\\\.\\\\d{1,3}\\\\.\\\\d{1,3}\\b}`;
    expect(applyRegexMap(parseRegexMap(docsExample), TEXT)).toEqual({ ips: ['10.0.0.1', '192.168.1.20'] });
    const two = parseRegexMap(String.raw`{ips: \b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b, urls: "https?://\S+"}`);
    expect(two.map((r) => [r.key, r.source])).toEqual([
      ['ips', String.raw`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`],
      ['urls', String.raw`https?://\S+`],
    ]);
  });

  it('keeps keys named like Object.prototype properties, __proto__ included, as plain keys', () => {
    const map = parseRegexMap('{"__proto__": "\\d+\\.\\d+", "constructor": "https?://\\S+", "ips": "10\\.\\S+"}');
    expect(map.map((r) => r.key)).toEqual(['__proto__', 'constructor', 'ips']);
    const out = applyRegexMap(map, TEXT);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'ips']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual(['10.0', '0.1', '192.168', '1.20']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse('{"__proto__": ["10.0", "0.1", "192.168", "1.20"], "constructor": ["https://evil.example/a", "http://b.example"], "ips": ["10.0.0.1"]}'));
    const loose = applyRegexMap(parseRegexMap(String.raw`{__proto__: \d+}`), 'a 12 b');
    expect(Object.getOwnPropertyDescriptor(loose, '__proto__')?.value).toEqual(['12']);
  });

  it('gives an empty map for empty input', () => {
    expect(parseRegexMap('')).toEqual([]);
    expect(parseRegexMap(undefined)).toEqual([]);
  });

  it('names the parameter and the key for lookaround and backreferences', () => {
    const err = (() => {
      try {
        parseRegexMap('{"pw": "(?=.*\\\\d)\\\\w+"}');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UserRegexError);
    expect((err as UserRegexError).message).toMatch(/"Regex Map JSON" \(key "pw"\).*lookaround/);
    expect(() => parseRegexMap('{"dup": "(a)\\\\1"}')).toThrow(/"Regex Map JSON" \(key "dup"\).*backreferences/);
    expect(() => parseRegexMap('{"bad": "(unclosed"}')).toThrow(/key "bad"/);
  });

  it('explains what it wanted when the value is unreadable', () => {
    expect(() => parseRegexMap('ips = 1.2.3.4')).toThrow(/"Regex Map JSON".*JSON object/);
    expect(() => parseRegexMap('["a"]')).toThrow(/JSON object/);
    expect(() => parseRegexMap('{"n": 5}')).toThrow(/key "n"/);
  });
});

describe('compileUserRegex', () => {
  it('runs a catastrophic-backtracking pattern on 100k characters in linear time', () => {
    const re = compileUserRegex('(a+)+$', { parameter: 'Regex Map JSON', key: 'redos' });
    expect(re.findAll(`${'a'.repeat(100_000)}!`)).toEqual([]);
  }, 10_000);

  it('caps the number of matches', () => {
    const re = compileUserRegex('a', { parameter: 'P' });
    expect(re.findAll('aaaaa', 3)).toEqual(['a', 'a', 'a']);
  });

  it('test() counts an empty match, which findAll leaves out (Wait Stage Exclude pattern "^$" excludes an empty reply)', () => {
    const empty = compileUserRegex('^$', { parameter: 'Wait Stage Exclude pattern' });
    expect(empty.findAll('')).toEqual([]);
    expect(empty.test('')).toBe(true);
    expect(empty.test('Approve')).toBe(false);
    expect(compileUserRegex('(?i)out of office', { parameter: 'p' }).test('I am OUT OF OFFICE')).toBe(true);
  });
});
