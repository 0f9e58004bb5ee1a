/**
 * HTML as text to search: character references decoded, so a regex run over an HTML body finds
 * `https://x.example/?a=1&b=2` and not the `&amp;b=2` of its href (nor `&gt;` glued to a link
 * written as `&lt;https://...&gt;`). `html-entities` (pinned) holds the full HTML5 table of named
 * references. Decoded as attribute values are: a legacy reference with no semicolon stays as
 * written before `=` or a letter or digit, so the `&copy=2` of a query string is not turned into
 * `©=2` (HTML5's rule for attributes, where links live).
 */
import { decode } from 'html-entities';

export function decodeHtmlReferences(html: string): string {
  if (!html.includes('&')) return html;
  return decode(html, { level: 'html5', scope: 'attribute' });
}
