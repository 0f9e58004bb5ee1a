import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * postal-mime's decoders join their output through a Blob (and base64 goes line by line through
 * TextDecoder, a regex and atob): about 40% of all parse time on real phishing mail, where
 * attachments dominate. This swaps in the same algorithms on Node buffers: base64 drops every
 * byte outside A-Z a-z 0-9 + / and decodes the rest natively; pass-through and quoted-printable
 * keep their decoding and only join with Buffer.concat (strings UTF-8 encoded, as a Blob does).
 * Output is byte-identical; the classes are postal-mime's own module instances (reached by file
 * path because its exports map hides them; postal-mime is pinned exactly), so every parser uses
 * them.
 */

interface Base64DecoderLike {
  update(line: Uint8Array): void;
  finalize(): Promise<ArrayBuffer>;
}

const ALPHABET = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

/** The base64 alphabet bytes of `chunks`, in order, everything else dropped (as postal-mime does). */
export function decodeLenientBase64(chunks: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const clean = Buffer.allocUnsafe(total);
  let n = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const b = c[i]!;
      if (ALPHABET[b] === 1) clean[n++] = b;
    }
  }
  // A dangling single character carries no full byte; postal-mime's atob would drop it too.
  const usable = n - (n % 4 === 1 ? 1 : 0);
  return Buffer.from(clean.toString('latin1', 0, usable), 'base64');
}

type BlobPart = string | ArrayBuffer | ArrayBufferView;

/** The bytes a Blob made of `parts` would hold (strings UTF-8 encoded, buffers and views as they are). */
export function concatParts(parts: ReadonlyArray<BlobPart>): Buffer {
  return Buffer.concat(
    parts.map((p) =>
      typeof p === 'string'
        ? Buffer.from(p, 'utf8')
        : p instanceof ArrayBuffer
          ? Buffer.from(p)
          : Buffer.from(p.buffer, p.byteOffset, p.byteLength),
    ),
  );
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const require = createRequire(import.meta.url);
const srcDir = join(dirname(require.resolve('postal-mime')), '..', 'src');
const load = async <T>(file: string): Promise<T> => ((await import(pathToFileURL(join(srcDir, file)).href)) as { default: T }).default;
const Base64Decoder = await load<{ prototype: Base64DecoderLike }>('base64-decoder.js');
const PassThroughDecoder = await load<{ prototype: { chunks: BlobPart[]; finalize(): Promise<ArrayBuffer> } }>('pass-through-decoder.js');
const QPDecoder = await load<{
  prototype: { chunks: BlobPart[]; remainder: string; decodeChunks(s: string): void; finalize(): Promise<ArrayBuffer> };
}>('qp-decoder.js');

PassThroughDecoder.prototype.finalize = async function finalize() {
  return toArrayBuffer(concatParts(this.chunks));
};
QPDecoder.prototype.finalize = async function finalize() {
  if (this.remainder.length) {
    this.decodeChunks(this.remainder);
    this.remainder = '';
  }
  return toArrayBuffer(concatParts(this.chunks));
};

type Patched = Base64DecoderLike & { fastChunks?: Uint8Array[] };

Base64Decoder.prototype.update = function update(this: Patched, line: Uint8Array): void {
  (this.fastChunks ??= []).push(line);
};
Base64Decoder.prototype.finalize = async function finalize(this: Patched): Promise<ArrayBuffer> {
  const out = decodeLenientBase64(this.fastChunks ?? []);
  this.fastChunks = [];
  return toArrayBuffer(out);
};
