/** Seeded random MIME bodies and messages, for comparing our MIME reading with postal-mime's. */

/** mulberry32: a small seeded PRNG, so that every run tests the same inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const TOKENS: Record<'base64' | 'quoted-printable' | '8bit', readonly string[]> = {
  base64: ['\r\n', '\r\n', '\n', ' ', '=', '==', '!', '-', '_', '\r', '\xff', '\t', '\r\r\n'],
  'quoted-printable': ['=\r\n', '=\n', '=3D', '=c3=a9', '=C3=A9', '=G', '=4', '=', '==41', '=\xff', '\r\n', '\n', '\r', '\r\r\n', '\xe9', '\xef\xbb\xbf', ' ', '\t', 'caf', '<a href=3D"x">', '-- ', '\x00'],
  '8bit': ['\r\n', '\n', '\r', '\r\r\n', '\xff', '\x00', '\xef\xbb\xbf', '\xc3\xa9', '-- ', 'text ', '--x', '=', '\t'],
};

/** About `size` bytes of plausible-but-messy body text in `encoding` (latin1 string as bytes). */
export function randomBody(random: Random, size: number, encoding: 'base64' | 'quoted-printable' | '8bit'): Buffer {
  const out: string[] = [];
  let n = 0;
  while (n < size) {
    let piece: string;
    if (random() < 0.7) {
      const len = 1 + Math.floor(random() * 76);
      let s = '';
      for (let i = 0; i < len; i++) s += encoding === 'base64' ? B64[Math.floor(random() * 64)] : String.fromCharCode(0x20 + Math.floor(random() * 95));
      piece = s;
    } else {
      piece = pick(random, TOKENS[encoding]);
    }
    out.push(piece);
    n += piece.length;
  }
  return Buffer.from(out.join(''), 'latin1');
}

const LEAF_TYPES = [
  'text/plain',
  'text/html',
  'application/pdf',
  'image/png',
  'application/octet-stream',
  'message/rfc822',
  'text/calendar',
  'application/ics',
  'text/csv',
] as const;
const ENCODINGS = ['base64', 'quoted-printable', '7bit', '8bit', 'binary', '', 'BASE64 (x)', 'Quoted-Printable', 'x-uuencode'] as const;
const CHARSETS = ['utf-8', 'UTF-8', 'windows-1252', 'iso-8859-1', 'windows-1256', 'utf-16le', 'x-unknown', 'koi8-r', ' utf-8 '];

interface Gen {
  random: Random;
  eol: () => string;
  /** Bodies are this big on average (bytes). */
  scale: number;
  boundaries: string[];
}

function header(g: Gen, name: string, value: string): string {
  const { random } = g;
  let spelled = random() < 0.2 ? name.toLowerCase() : random() < 0.1 ? name.toUpperCase() : name;
  // a UTF-8 byte order mark (dropped when the line is decoded) or a no-break space (folds the line)
  if (random() < 0.03) spelled = `${random() < 0.5 ? '\xef\xbb\xbf' : '\xc2\xa0'}${spelled}`;
  if (random() < 0.15 && value.includes(';')) {
    // folded after the first ';'
    const i = value.indexOf(';') + 1;
    return `${spelled}: ${value.slice(0, i)}${g.eol()}${random() < 0.5 ? '\t' : '  '}${value.slice(i).trim()}`;
  }
  return `${spelled}:${random() < 0.1 ? '' : ' '}${value}`;
}

function newBoundary(g: Gen): string {
  const { random } = g;
  const existing = g.boundaries.length ? pick(random, g.boundaries) : 'b';
  const shapes = [
    () => `b${Math.floor(random() * 1000)}`,
    () => `${existing}1`, // an outer boundary's prefix
    () => `----=_Part_${Math.floor(random() * 1e6)}.${Math.floor(random() * 1e6)}`,
    () => `with space ${Math.floor(random() * 100)}`,
    () => `a'()+_,-./:=?${Math.floor(random() * 100)}`,
    () => existing.slice(0, Math.max(1, existing.length - 1)),
    () => `caf\xc3\xa9${Math.floor(random() * 100)}`, // UTF-8 in the header
    () => `bad\xe9${Math.floor(random() * 100)}`, // not UTF-8: postal-mime reads U+FFFD
  ];
  const b = pick(random, shapes)();
  g.boundaries.push(b);
  return b;
}

function contentTypeValue(g: Gen, type: string, boundary?: string): string {
  const { random } = g;
  let v = type;
  if (boundary !== undefined) {
    const quoted = /[ '()+,/:=?]/.test(boundary) || random() < 0.5;
    v += `; boundary=${quoted ? `"${boundary}"` : boundary}`;
  }
  if (type.startsWith('text/') && random() < 0.8) v += `; charset=${random() < 0.5 ? `"${pick(random, CHARSETS)}"` : pick(random, CHARSETS).trim()}`;
  if (random() < 0.2) v += '; name="file (1).bin"';
  if (random() < 0.1) v += ' (a comment; with=semicolon)';
  if (random() < 0.05) v += '; format=flowed';
  return v;
}

function leafBody(g: Gen, encoding: string): Buffer {
  const { random } = g;
  const size = Math.floor(random() * random() * g.scale * 2);
  const kind = /base64/i.test(encoding) ? 'base64' : /quoted-printable/i.test(encoding) ? 'quoted-printable' : '8bit';
  let body = randomBody(random, size, kind);
  if (kind === 'base64' && random() < 0.7) {
    const data = Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
    body = Buffer.from(data.toString('base64').replace(/.{76}/g, `$&${g.eol()}`));
  }
  // Now and then a line that looks like a boundary but is not one, or is one.
  if (random() < 0.15 && g.boundaries.length) {
    const b = pick(random, g.boundaries);
    const fake = pick(random, [`--${b}x`, `--${b} `, `--${b}--`, `--${b}\t`, `-- ${b}`, `--`]);
    const at = Math.floor(random() * body.length);
    const nl = body.indexOf(0x0a, at);
    if (nl >= 0) body = Buffer.concat([body.subarray(0, nl + 1), Buffer.from(fake + g.eol(), 'latin1'), body.subarray(nl + 1)]);
  }
  return body;
}

function part(g: Gen, depth: number, parentType: string | null): Buffer {
  const { random } = g;
  const eol = g.eol;
  const headers: string[] = [];
  const chunks: Buffer[] = [];
  const multipart = depth < 4 && random() < (depth === 0 ? 0.75 : 0.35);
  if (random() < 0.08) headers.push(random() < 0.7 ? ' folded-looking first line' : '\xc2\xa0no-break space first line');
  if (multipart) {
    const sub = pick(random, ['mixed', 'alternative', 'related', 'digest', 'report', 'MIXED']);
    const boundary = newBoundary(g);
    if (random() < 0.05) headers.push(header(g, 'Content-Type', 'text/plain'));
    headers.push(header(g, 'Content-Type', contentTypeValue(g, `multipart/${sub}`, boundary)));
    if (random() < 0.05) headers.push(header(g, 'Content-Transfer-Encoding', '7bit'));
    const head = Buffer.from(headers.join(eol()) + eol() + eol(), 'latin1');
    chunks.push(head);
    if (random() < 0.3) chunks.push(Buffer.from(`This is a preamble.${eol()}`));
    const children = 1 + Math.floor(random() * 4);
    for (let i = 0; i < children; i++) {
      chunks.push(Buffer.from(`--${boundary}${random() < 0.1 ? ' \t' : ''}${eol()}`, 'latin1'));
      chunks.push(part(g, depth + 1, sub.toLowerCase()));
    }
    if (random() < 0.85) chunks.push(Buffer.from(`--${boundary}--${random() < 0.1 ? ' ' : ''}${eol()}`, 'latin1'));
    if (random() < 0.3) chunks.push(Buffer.from(`epilogue${eol()}`));
    g.boundaries.splice(g.boundaries.indexOf(boundary), 1);
    return Buffer.concat(chunks);
  }
  const type = parentType === 'digest' && random() < 0.5 ? null : pick(random, LEAF_TYPES);
  const encoding = pick(random, ENCODINGS);
  if (type) headers.push(header(g, 'Content-Type', contentTypeValue(g, type)));
  if (random() < 0.05) headers.push(header(g, 'Content-Type', contentTypeValue(g, pick(random, LEAF_TYPES))));
  if (encoding || random() < 0.5) headers.push(header(g, 'Content-Transfer-Encoding', encoding));
  if (random() < 0.05) headers.push(header(g, 'Content-Transfer-Encoding', pick(random, ENCODINGS)));
  if (random() < 0.4) headers.push(header(g, 'Content-Disposition', `${pick(random, ['attachment', 'inline', 'ATTACHMENT', 'attachment (x)'])}; filename="f.bin"`));
  if (random() < 0.2) headers.push(header(g, 'Content-ID', `<id${Math.floor(random() * 100)}@x>`));
  const noBlank = random() < 0.03;
  const body = leafBody(g, encoding);
  return Buffer.concat([Buffer.from(headers.join(eol()) + (noBlank ? eol() : eol() + eol()), 'latin1'), noBlank ? Buffer.alloc(0) : body]);
}

/** A random message: root headers, then a random MIME tree with messy bodies and line ends. */
export function randomMessage(random: Random, scale = 6000): Buffer {
  const style = random();
  const eol = (): string => (style < 0.6 ? '\r\n' : style < 0.85 ? '\n' : pick(random, ['\r\n', '\n', '\r\r\n']));
  const g: Gen = { random, eol, scale, boundaries: [] };
  const root = [
    'From: "Sender" <sender@example.com>',
    'To: a@example.com, b@example.com',
    `Subject: random ${Math.floor(random() * 1e6)}`,
    'Date: Fri, 5 Jul 2024 09:00:00 +0000',
    'MIME-Version: 1.0',
  ].join(eol());
  return Buffer.concat([Buffer.from(root + eol()), part(g, 0, null)]);
}
