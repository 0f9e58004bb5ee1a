import { createRequire } from 'node:module';
import { decompressRTF } from '@kenjiuno/decompressrtf';
import { Tokenize, DeEncapsulate } from 'rtf-stream-parser';
import { decodeCharset } from './codepage.ts';

// ToPlainText is not re-exported from the package index; the package has no exports map, so the file is reachable.
const require = createRequire(import.meta.url);
const { ToPlainText } = require('rtf-stream-parser/dist/src/ToPlainText.js') as {
  ToPlainText: new (options?: object) => RtfTransform;
};

interface RtfTransform {
  push: (chunk: unknown) => boolean;
  _transform(chunk: unknown, encoding: unknown, cb: (err?: unknown) => void): void;
  _flush(cb: (err?: unknown) => void): void;
  isHtml?: boolean;
}

const decode = (buf: Buffer, enc: string): string => decodeCharset(buf, enc);

/** Runs the tokenizer and one processing stage synchronously (the streams are only a wrapper). */
function runSync(rtf: Buffer, stage: RtfTransform): string {
  const onError = (err?: unknown): void => {
    if (err !== undefined && err !== null) throw err;
  };
  const tokenizer = new Tokenize() as unknown as RtfTransform;
  tokenizer.push = (token) => {
    stage._transform(token, '', onError);
    return true;
  };
  const chunks: string[] = [];
  stage.push = (piece) => {
    if (piece !== null) chunks.push(String(piece));
    return true;
  };
  tokenizer._transform(rtf, undefined, onError);
  tokenizer._flush(onError);
  stage._flush(onError);
  return chunks.join('');
}

export interface RtfBody {
  html: string;
  text: string;
}

/**
 * Turns PR_RTF_COMPRESSED into a body. Outlook usually stores HTML or plain text wrapped in RTF
 * (\fromhtml / \fromtext, MS-OXRTFEX): that is unwrapped exactly. Genuine RTF gives plain text.
 * Returns null when the data is not compressed RTF or its declared size is over the limit.
 */
export function bodyFromCompressedRtf(compressed: Uint8Array, maxSize: number): RtfBody | null {
  if (compressed.byteLength < 16) return null;
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  const rawSize = view.getUint32(4, true);
  if (rawSize > maxSize) return null;
  let rtf: Buffer;
  try {
    rtf = Buffer.from(decompressRTF(Array.from(compressed)));
  } catch {
    return null;
  }
  return bodyFromRtf(rtf);
}

export function bodyFromRtf(rtf: Buffer): RtfBody | null {
  try {
    const stage = new DeEncapsulate({ decode, mode: 'either', htmlFixContentType: true, warn: () => {} }) as unknown as RtfTransform;
    const out = runSync(rtf, stage);
    return stage.isHtml ? { html: out, text: '' } : { html: '', text: out };
  } catch {
    // Not encapsulated: plain RTF written by Outlook's RTF editor.
  }
  try {
    return { html: '', text: runSync(rtf, new ToPlainText({ decode, warn: () => {} })) };
  } catch {
    return null;
  }
}
