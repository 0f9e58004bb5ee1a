/** Links searched in HTML bodies come out as a browser would follow them: character references decoded. */
import { describe, expect, it } from 'vitest';
import { decodeHtmlReferences } from '../../src/mail/html-references.ts';
import { applyRegexMap, parseRegexMap } from '../../src/mail/regex.ts';

const urls = (html: string): string[] => applyRegexMap(parseRegexMap(JSON.stringify({ urls: 'https?://[^\\s"<>]+' }), 'Regex Map JSON'), decodeHtmlReferences(html)).urls!;

describe('decodeHtmlReferences', () => {
  it.each([
    ['<a href="https://x.example/?a=1&amp;b=2">', '<a href="https://x.example/?a=1&b=2">'],
    ['&#38; &#x26; &#X26; &amp &AMP;', '& & & & &'],
    ['&lt;https://x.example/&gt; &quot;q&quot; &apos;s&apos; &nbsp;', '<https://x.example/> "q" \'s\' \u00a0'],
    ['&eacute;&Eacute;&hellip;&notin;&NotEqualTilde;', 'éÉ…∉≂̸'],
    ['no references here', 'no references here'],
    ['&NotAnEntity; & alone', '&NotAnEntity; & alone'],
  ])('%s', (html, text) => {
    expect(decodeHtmlReferences(html)).toBe(text);
  });

  it('leaves a legacy reference with no semicolon alone inside a query string (HTML5 attribute rule)', () => {
    expect(decodeHtmlReferences('<a href="https://x.example/?a=1&copy=2&reg1">')).toBe('<a href="https://x.example/?a=1&copy=2&reg1">');
  });

  it('gives URLs as a browser follows them', () => {
    expect(urls('<a href="https://evil.example/login?u=1&amp;next=%2F&amp;t=9">Sign in</a>')).toEqual(['https://evil.example/login?u=1&next=%2F&t=9']);
    expect(urls('<p>Visit &lt;https://evil.example/a&gt; now</p>')).toEqual(['https://evil.example/a']);
    expect(urls('<a href="https://evil&#46;example/&#x70;ay">')).toEqual(['https://evil.example/pay']);
  });
});
