/**
 * The part structure of a MIME message, on its bytes: each leaf part with its headers as written
 * and its body as the exact byte range it occupies in the message. Exchange keeps an attached
 * email (message/rfc822) as the bytes that were delivered, so its `$value` must be those bytes,
 * line ends and 8-bit characters included; a parser that hands back decoded lines (postal-mime
 * joins them with bare LF) cannot give them back.
 *
 * Boundaries follow RFC 2046 §5.1.1: a delimiter line is `--boundary` (the close `--boundary--`),
 * optionally followed by spaces or tabs, and the line break before it belongs to the delimiter,
 * not to the part. An inner boundary line also closes every part opened inside it, as
 * postal-mime does, so both read the same parts out of a malformed message.
 */
import { decodeBase64Loose, parseStructuredHeader, type StructuredHeader } from './mime-words.ts';

export interface RawHeader {
  name: string;
  value: string;
}

/**
 * The header block at the start of `raw`, unfolded (RFC 5322 §2.2.3: only the line breaks go,
 * the whitespace after them stays), in order. Works on bytes up to the first empty line, so it
 * never depends on the body being valid MIME.
 */
export function parseHeaderBlock(raw: Buffer): RawHeader[] {
  const end = headerBlockEnd(raw);
  const block = new TextDecoder('utf-8').decode(raw.subarray(0, end));
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  const headers: RawHeader[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    // mbox "From " separator lines and garbage have no usable name; skip them as Exchange does.
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || /\s/.test(name)) continue;
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function headerBlockEnd(raw: Buffer): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    // A line break followed by another line break (optionally CRLF) ends the headers.
    if (raw[i + 1] === 0x0a) return i;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i;
  }
  return raw.length;
}

export function findHeader(headers: RawHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

export interface MimeLeaf {
  headers: RawHeader[];
  /** `text/plain` when the part names none (`message/rfc822` inside multipart/digest, RFC 2046 §5.1.5). */
  contentType: StructuredHeader;
  disposition?: StructuredHeader;
  /** Lower-cased first token of Content-Transfer-Encoding; '' when absent. */
  transferEncoding: string;
  /** The body bytes as they stand in the message (still transfer-encoded); a view, not a copy. */
  body: Buffer;
  /** Inside a multipart/related. */
  related: boolean;
}

export interface PartLimits {
  maxNestingDepth: number;
  maxHeadersSize: number;
}

interface Node {
  parent?: Node;
  depth: number;
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  state: 'header' | 'body';
  headers: RawHeader[];
  contentType: StructuredHeader;
  boundary?: Buffer;
  /** multipart subtype, when the node is a multipart. */
  multipart?: string;
  children: Node[];
}

const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;

/** How a line ends a part: 'open' (`--b`), 'close' (`--b--`), or not at all. */
function delimiterKind(raw: Buffer, start: number, end: number, boundary: Buffer): 'open' | 'close' | undefined {
  const len = end - start;
  if (len < boundary.length + 2 || raw[start] !== DASH || raw[start + 1] !== DASH) return undefined;
  if (raw.compare(boundary, 0, boundary.length, start + 2, start + 2 + boundary.length) !== 0) return undefined;
  let at = start + 2 + boundary.length;
  let kind: 'open' | 'close' = 'open';
  if (at + 1 < end && raw[at] === DASH && raw[at + 1] === DASH) {
    kind = 'close';
    at += 2;
  }
  for (; at < end; at++) if (raw[at] !== SPACE && raw[at] !== TAB) return undefined;
  return kind;
}

function finishHeaders(raw: Buffer, node: Node, headerEnd: number, bodyStart: number, limits: PartLimits, open: Node[]): void {
  if (headerEnd - node.headerStart > limits.maxHeadersSize) throw new Error(`MIME part headers exceed ${limits.maxHeadersSize} bytes`);
  node.headers = parseHeaderBlock(raw.subarray(node.headerStart, headerEnd));
  const ct = findHeader(node.headers, 'content-type');
  const digestChild = node.parent?.multipart === 'digest';
  const parsed = ct === undefined ? undefined : parseStructuredHeader(ct);
  node.contentType = parsed && parsed.value !== '' ? parsed : { value: digestChild ? 'message/rfc822' : 'text/plain', params: parsed?.params ?? new Map() };
  if (node.contentType.value.startsWith('multipart/')) {
    node.multipart = node.contentType.value.slice('multipart/'.length);
    const boundary = node.contentType.params.get('boundary');
    if (boundary) {
      node.boundary = Buffer.from(boundary, 'utf8');
      open.push(node);
    }
  }
  node.bodyStart = bodyStart;
  node.bodyEnd = bodyStart;
  node.state = 'body';
}

function newNode(parent: Node | undefined, headerStart: number, limits: PartLimits): Node {
  const depth = parent ? parent.depth + 1 : 0;
  if (depth > limits.maxNestingDepth) throw new Error(`MIME nesting deeper than ${limits.maxNestingDepth} levels`);
  const node: Node = {
    parent,
    depth,
    headerStart,
    bodyStart: headerStart,
    bodyEnd: headerStart,
    state: 'header',
    headers: [],
    contentType: { value: 'text/plain', params: new Map() },
    children: [],
  };
  parent?.children.push(node);
  return node;
}

/** Every leaf part of the message in document order (the message itself when it is not multipart). */
export function mimeLeaves(raw: Buffer, limits: PartLimits): MimeLeaf[] {
  const root = newNode(undefined, 0, limits);
  // Multiparts whose boundary is live, outermost first.
  const open: Node[] = [];
  let current = root;
  // Where the previous line's text ended (before its line break): a part ends there.
  let previousEnd = 0;
  let pos = 0;
  while (pos < raw.length) {
    const nl = raw.indexOf(0x0a, pos);
    const lineBreak = nl < 0 ? raw.length : nl;
    const end = lineBreak > pos && raw[lineBreak - 1] === 0x0d ? lineBreak - 1 : lineBreak;
    const next = nl < 0 ? raw.length : nl + 1;
    let delimited = false;
    if (open.length > 0 && end - pos > 2 && raw[pos] === DASH && raw[pos + 1] === DASH) {
      for (let i = open.length - 1; i >= 0; i--) {
        const owner = open[i];
        const kind = delimiterKind(raw, pos, end, owner.boundary!);
        if (!kind) continue;
        // The delimiter ends every part opened inside its multipart.
        for (let n: Node | undefined = current; n && n !== owner; n = n.parent) {
          if (n.state === 'header') finishHeaders(raw, n, pos, pos, limits, open);
          n.bodyEnd = Math.max(n.bodyStart, previousEnd);
        }
        open.length = i + 1;
        if (kind === 'close') {
          open.length = i;
          owner.bodyEnd = Math.max(owner.bodyStart, previousEnd);
          current = owner.parent ?? owner;
        } else {
          current = newNode(owner, next, limits);
        }
        delimited = true;
        break;
      }
    }
    if (!delimited && current.state === 'header' && end === pos) finishHeaders(raw, current, pos, next, limits, open);
    previousEnd = end;
    pos = next;
  }
  // Only the innermost part can still be reading headers; an unterminated part runs to the end.
  if (current.state === 'header') finishHeaders(raw, current, raw.length, raw.length, limits, open);
  else if (current.multipart === undefined) current.bodyEnd = raw.length;
  const leaves: MimeLeaf[] = [];
  const walk = (n: Node, related: boolean): void => {
    if (n.multipart !== undefined) {
      for (const c of n.children) walk(c, related || n.multipart === 'related');
      return;
    }
    const disposition = findHeader(n.headers, 'content-disposition');
    const cte = findHeader(n.headers, 'content-transfer-encoding') ?? '';
    leaves.push({
      headers: n.headers,
      contentType: n.contentType,
      ...(disposition !== undefined ? { disposition: parseStructuredHeader(disposition) } : {}),
      transferEncoding: cte.toLowerCase().split(/[^\w-]/)[0] ?? '',
      body: raw.subarray(n.bodyStart, Math.max(n.bodyStart, n.bodyEnd)),
      related,
    });
  };
  walk(root, false);
  return leaves;
}

/**
 * A quoted-printable body as bytes (RFC 2045 §6.7): `=XX` is a byte, `=` before a line break is a
 * soft break, and literal spaces or tabs at the end of a line were added in transport and go
 * (an encoded `=20` there stays). Line breaks stay as they were written.
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  // out[0, keep) survives a line end: everything but literal trailing whitespace.
  let keep = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === 0x0a || (c === 0x0d && body[i + 1] === 0x0a)) {
      n = keep;
      if (c === 0x0d) out[n++] = body[i++];
      out[n++] = body[i];
      keep = n;
      continue;
    }
    if (c === 0x3d) {
      let j = i + 1;
      while (body[j] === SPACE || body[j] === TAB) j++;
      if (j >= body.length || body[j] === 0x0a || (body[j] === 0x0d && body[j + 1] === 0x0a)) {
        keep = n;
        i = body[j] === 0x0d ? j + 1 : j;
        continue;
      }
      const hi = hexValue(body[i + 1]);
      const lo = hexValue(body[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        keep = n;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
    if (c !== SPACE && c !== TAB) keep = n;
  }
  return out.subarray(0, keep);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** A leaf's content with its Content-Transfer-Encoding undone; 7bit, 8bit, binary and unknown ones as they are. */
export function decodedBody(leaf: MimeLeaf): Buffer {
  if (leaf.transferEncoding === 'base64') return decodeBase64Loose(leaf.body.toString('latin1'));
  if (leaf.transferEncoding === 'quoted-printable') return decodeQuotedPrintable(leaf.body);
  return leaf.body;
}
