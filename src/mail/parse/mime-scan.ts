/**
 * Finds the MIME leaves of a message the way postal-mime 2.7.6 splits it, so that their bodies can
 * be decoded here (transfer-decode.ts) instead of by postal-mime: lines end at LF with trailing CRs
 * dropped; a header block ends at the first empty line; a line is a boundary when it is "--" plus
 * the boundary of an open multipart part (innermost first) plus "--" or nothing, then only spaces
 * or tabs; folded header lines are joined, the last Content-Type and the first
 * Content-Transfer-Encoding / Content-Disposition of a block count. Where this reading could part
 * from postal-mime's (a limit postal-mime would refuse on, RFC 2231 continuations of the boundary or
 * charset) it gives up and the caller parses the plain way.
 */

export type TransferEncoding = 'base64' | 'quoted-printable' | 'pass-through';

export interface MimeLeaf {
  /** The message itself is this leaf (not multipart). */
  isRoot: boolean;
  /** Offset of the leaf's first header line (0 for the root). */
  headerStart: number;
  /** Bytes of header lines counted against maxHeadersSize (line ends excluded). */
  headerSize: number;
  /** The first header line begins with whitespace, so a line put before it would swallow it. */
  firstLineFolded: boolean;
  /** Body: from the first line after the blank line to the start of the line that ends the leaf (or EOF). */
  bodyStart: number;
  bodyEnd: number;
  /** Content-Type value, lower case ("text/plain" when absent). */
  contentType: string;
  charset: string | undefined;
  /** Content-Disposition value, lower case ("" when absent). */
  disposition: string;
  encoding: TransferEncoding;
}

export interface ScanLimits {
  maxNestingDepth: number;
  maxHeadersSize: number;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const HEADER = 0;
const BODY = 1;
const FINISHED = 2;
const LINE_DASHES = Buffer.from('\n--');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface Node {
  parent: Node | null;
  depth: number;
  state: number;
  defaultType: string;
  headerStart: number;
  /** Start and end offsets of each header line, then (once read) the lines as postal-mime decodes them. */
  headerRanges: number[];
  headerLines: string[];
  headerSize: number;
  multipart: string | false;
  contentType: string;
  charset: string | undefined;
  disposition: string;
  encoding: TransferEncoding;
  bodyStart: number;
  bodyEnd: number;
  /** Body lines reached this node in more than one run (only multipart parts do that). */
  scattered: boolean;
  children: Node[];
  /** children before this index are finished */
  finishedChildren: number;
}

class GiveUp extends Error {}

const utf8 = new TextDecoder();

/** RFC 822 comments removed from a structured header value, quoted strings and escapes kept. */
function withoutComments(str: string): string {
  let out = '';
  let depth = 0;
  let escaped = false;
  let quoted = false;
  for (const ch of str) {
    if (escaped) {
      if (depth === 0) out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
      if (depth === 0) out += ch;
    } else if (ch === '"' && depth === 0) {
      quoted = !quoted;
      out += ch;
    } else if (!quoted && ch === '(') {
      depth++;
    } else if (!quoted && ch === ')' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      out += ch;
    }
  }
  return out;
}

interface Structured {
  value: string;
  params: Map<string, string>;
}

/** "value; key=val; key2="quoted"" as postal-mime reads it (before RFC 2231 continuations). */
function structured(header: string): Structured {
  const str = withoutComments(header);
  const params = new Map<string, string>();
  let value: string | null = null;
  let key: string | null = null;
  let inKey = false;
  let buf = '';
  let quote = false;
  let escaped = false;
  for (const ch of str) {
    if (inKey) {
      if (ch === '=') {
        key = buf.trim().toLowerCase();
        inKey = false;
        buf = '';
      } else {
        buf += ch;
      }
      continue;
    }
    if (escaped) {
      buf += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (quote && ch === '"') {
      quote = false;
    } else if (!quote && ch === '"') {
      quote = true;
    } else if (!quote && ch === ';') {
      if (key === null) value = buf.trim();
      else params.set(key, buf.trim());
      inKey = true;
      buf = '';
    } else {
      buf += ch;
    }
  }
  buf = buf.trim();
  if (!inKey) {
    if (key === null) value = buf;
    else params.set(key, buf);
  } else if (buf) {
    params.set(buf.toLowerCase(), '');
  }
  return { value: (value ?? '').toLowerCase(), params };
}

const CONTINUATION = /\*((\d+)\*?)?$/;

/** RFC 2231 continuations would rewrite these parameters; this scanner does not follow them. */
function continues(params: Map<string, string>, name: string): boolean {
  for (const key of params.keys()) {
    const m = CONTINUATION.exec(key);
    if (m && key.slice(0, m.index).toLowerCase() === name) return true;
  }
  return false;
}

function encodingOf(value: string): TransferEncoding {
  const token = value.toLowerCase().split(/[^\w-]/)[0] ?? '';
  if (/base64/i.test(token)) return 'base64';
  if (/quoted-printable/i.test(token)) return 'quoted-printable';
  return 'pass-through';
}

export class MimeScanner {
  private readonly buf: Uint8Array;
  private readonly search: Buffer;
  private readonly limits: ScanLimits;
  private readonly root: Node;
  private current: Node;
  private readonly boundaries: Array<{ value: Uint8Array; node: Node }> = [];

  private constructor(buf: Uint8Array, limits: ScanLimits) {
    this.buf = buf;
    this.search = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.limits = limits;
    this.root = this.current = this.node(null, 0, 'text/plain');
  }

  /** The leaves of `buf`, in document order, or null where postal-mime's reading may differ. */
  static leaves(buf: Uint8Array, limits: ScanLimits): MimeLeaf[] | null {
    try {
      return new MimeScanner(buf, limits).run();
    } catch (err) {
      if (err instanceof GiveUp) return null;
      throw err;
    }
  }

  private node(parent: Node | null, headerStart: number, defaultType: string): Node {
    const depth = parent ? parent.depth + 1 : 0;
    if (depth > this.limits.maxNestingDepth) throw new GiveUp();
    const n: Node = {
      parent,
      depth,
      state: HEADER,
      defaultType,
      headerStart,
      headerRanges: [],
      headerLines: [],
      headerSize: 0,
      multipart: false,
      contentType: defaultType,
      charset: undefined,
      disposition: '',
      encoding: 'pass-through',
      bodyStart: -1,
      bodyEnd: -1,
      scattered: false,
      children: [],
      finishedChildren: 0,
    };
    parent?.children.push(n);
    return n;
  }

  private run(): MimeLeaf[] {
    const { buf } = this;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const node = this.current;
      if (node.state !== HEADER) {
        // Only a line that starts with "--" can end a body; everything before the next one is body.
        let stop = pos;
        if (buf[pos] !== DASH || buf[pos + 1] !== DASH) {
          const lf = this.search.indexOf(LINE_DASHES, pos);
          stop = lf < 0 ? len : lf + 1;
        }
        if (stop > pos) {
          this.body(node, pos, stop);
          pos = stop;
          if (pos >= len) break;
        }
      }
      const lf = this.search.indexOf(LF, pos);
      const nextLine = lf < 0 ? len : lf + 1;
      let end = lf < 0 ? len : lf;
      while (end > pos && buf[end - 1] === CR) end--;
      this.line(pos, end, nextLine);
      pos = nextLine;
    }
    this.finish(this.root);
    const out: MimeLeaf[] = [];
    const walk = (n: Node): void => {
      if (!n.multipart && n.bodyStart >= 0 && n.bodyEnd > n.bodyStart && !n.scattered) {
        out.push({
          isRoot: n === this.root,
          headerStart: n.headerStart,
          headerSize: n.headerSize,
          firstLineFolded: n.headerLines.length > 0 && /^\s/.test(n.headerLines[0]!),
          bodyStart: n.bodyStart,
          bodyEnd: n.bodyEnd,
          contentType: n.contentType,
          charset: n.charset,
          disposition: n.disposition,
          encoding: n.encoding,
        });
      }
      for (const c of n.children) walk(c);
    };
    walk(this.root);
    return out;
  }

  private body(node: Node, start: number, end: number): void {
    if (node.state !== BODY) return;
    if (start !== (node.bodyEnd >= 0 ? node.bodyEnd : node.bodyStart)) node.scattered = true;
    node.bodyEnd = end;
  }

  private boundaryAt(start: number, end: number): { node: Node; terminator: boolean } | null {
    const { buf } = this;
    const len = end - start;
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const { value, node } = this.boundaries[i]!;
      if (len < value.length + 2) continue;
      let same = true;
      for (let j = 0; j < value.length; j++) {
        if (buf[start + 2 + j] !== value[j]) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      let after = value.length + 2;
      const terminator = len >= value.length + 4 && buf[start + after] === DASH && buf[start + after + 1] === DASH;
      if (terminator) after += 2;
      let blank = true;
      for (let j = start + after; j < end; j++) {
        if (buf[j] !== 0x20 && buf[j] !== 0x09) {
          blank = false;
          break;
        }
      }
      if (blank) return { node, terminator };
    }
    return null;
  }

  private line(start: number, end: number, nextLine: number): void {
    const { buf } = this;
    if (this.boundaries.length && end - start > 2 && buf[start] === DASH && buf[start + 1] === DASH) {
      const hit = this.boundaryAt(start, end);
      if (hit) {
        if (hit.terminator) {
          this.finish(hit.node);
          this.current = hit.node.parent ?? this.root;
        } else {
          this.finishChildren(hit.node);
          this.current = this.node(hit.node, nextLine, hit.node.multipart === 'digest' ? 'message/rfc822' : 'text/plain');
        }
        return;
      }
    }
    const node = this.current;
    if (node.state === HEADER) {
      if (end === start) {
        node.state = BODY;
        this.headers(node);
        node.bodyStart = nextLine;
        return;
      }
      node.headerSize += end - start;
      if (node.headerSize > this.limits.maxHeadersSize) throw new GiveUp();
      node.headerRanges.push(start, end);
    } else {
      this.body(node, start, nextLine);
    }
  }

  private finish(node: Node): void {
    if (node.state === FINISHED) return;
    if (node.state === HEADER) this.headers(node);
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      if (this.boundaries[i]!.node === node) {
        this.boundaries.splice(i, 1);
        break;
      }
    }
    this.finishChildren(node);
    node.state = FINISHED;
  }

  private finishChildren(node: Node): void {
    for (let i = node.finishedChildren; i < node.children.length; i++) this.finish(node.children[i]!);
    node.finishedChildren = node.children.length;
  }

  /** Each header line decoded as UTF-8 on its own (so a leading byte order mark is dropped from each). */
  private headerLines(node: Node): string[] {
    const r = node.headerRanges;
    if (r.length === 0) return [];
    const block = this.search.subarray(r[0], r[r.length - 1]);
    if (block.indexOf(BOM) < 0) {
      // Line ends are ASCII, so decoding the block at once and splitting it is the same.
      const lines = utf8.decode(block).split(/\r*\n/);
      if (lines.length * 2 === r.length) return lines;
    }
    const lines: string[] = [];
    for (let i = 0; i < r.length; i += 2) lines.push(utf8.decode(this.buf.subarray(r[i], r[i + 1])));
    return lines;
  }

  private headers(node: Node): void {
    node.headerLines = this.headerLines(node);
    const joined: string[] = [];
    for (const line of node.headerLines) {
      if (joined.length && /^\s/.test(line)) joined[joined.length - 1] += '\n' + line;
      else joined.push(line);
    }
    let contentType: string | null = null;
    let encoding: string | null = null;
    let disposition: string | null = null;
    for (const raw of joined) {
      const line = raw.replace(/\s+/g, ' ');
      const sep = line.indexOf(':');
      const key = (sep < 0 ? line : line.slice(0, sep)).trim().toLowerCase();
      const value = sep < 0 ? '' : line.slice(sep + 1).trim();
      if (key === 'content-type') contentType = value;
      else if (key === 'content-transfer-encoding') encoding ??= value;
      else if (key === 'content-disposition') disposition ??= value;
    }
    const type = structured(contentType ?? node.defaultType);
    if (continues(type.params, 'boundary') || continues(type.params, 'charset')) throw new GiveUp();
    node.contentType = type.value;
    node.charset = type.params.get('charset');
    node.multipart = /^multipart\//i.test(type.value) ? type.value.slice(type.value.indexOf('/') + 1) : false;
    const boundary = type.params.get('boundary');
    if (node.multipart && boundary) this.boundaries.push({ value: Buffer.from(boundary, 'utf8'), node });
    node.disposition = disposition === null ? '' : structured(disposition).value;
    node.encoding = encodingOf(encoding ?? '8bit');
  }
}
