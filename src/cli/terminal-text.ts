/**
 * Text that is safe to write to a terminal, and measured the way a terminal shows it.
 *
 * Cells and messages quote what attackers write (subjects, file names, sender names), so every
 * character that could steer the terminal or reorder what the reader sees is shown as a visible
 * `\uXXXX` escape instead: C0 and C1 controls (ESC, so no ANSI sequence survives), DEL, the bidi
 * embedding / override / isolate / mark characters and the Unicode line and paragraph
 * separators. Lone surrogates become U+FFFD. Widths are display columns (string-width: East Asian
 * wide characters and emoji count 2, combining marks 0), and text is cut only between graphemes.
 */
import stringWidth from 'string-width';

/** Characters shown as `\uXXXX`. Tab, CR and LF are handled before (they become spaces or line breaks). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `String.prototype.toWellFormed` (ES2024, not in this project's lib). */
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\ufffd');

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** One line of text (a table cell): line breaks and tabs become single spaces, hidden characters escapes. */
export function neutraliseLine(s: string): string {
  return wellFormed(s).replace(/[ \t]*[\r\n]+[ \t]*/g, ' ').replace(/\t/g, ' ').replace(HIDDEN, escapeChar);
}

/** Several lines (an output message): line breaks are kept (a lone CR becomes one), the rest as in a cell. */
export function neutraliseLines(s: string): string {
  return wellFormed(s)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\t/g, ' ').replace(HIDDEN, escapeChar))
    .join('\n');
}

/** Display columns of already neutralised text. */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(s: string): Array<{ text: string; width: number }> {
  return [...segmenter.segment(s)].map(({ segment }) => ({ text: segment, width: stringWidth(segment) }));
}

const ELLIPSIS = '…';

/** At most `width` columns: the start of the text and an ellipsis when it is longer. */
export function cutEnd(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const g of graphemes(s)) {
    if (used + g.width > width - 1) break;
    out += g.text;
    used += g.width;
  }
  return out + ELLIPSIS;
}

/**
 * At most `width` columns, cut in the middle: an id keeps its start and, longer, its end (Graph
 * ids of one folder share their start and differ at the end).
 */
export function cutMiddle(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? ELLIPSIS : '';
  const room = width - 1;
  const headRoom = Math.floor(room / 3);
  const gs = graphemes(s);
  let head = '';
  let used = 0;
  let i = 0;
  for (; i < gs.length && used + gs[i].width <= headRoom; i++) {
    head += gs[i].text;
    used += gs[i].width;
  }
  let tail = '';
  for (let j = gs.length - 1; j >= i && used + gs[j].width <= room; j--) {
    tail = gs[j].text + tail;
    used += gs[j].width;
  }
  return head + ELLIPSIS + tail;
}

/** The text followed by spaces up to `width` columns. */
export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}
