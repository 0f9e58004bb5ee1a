/**
 * Attachment names come from the sender: they are hostile input. One function turns any of them
 * into a single, portable file name that cannot leave the download folder; a second check on the
 * final path (`resolveInside`) backs it up.
 */
import path from 'node:path';
import { InputError } from '../../soar/errors.ts';
import { DOWNLOAD_PATH } from './types.ts';

export const DEFAULT_ATTACHMENT_NAME = 'attachment';
/** Most file systems (ext4, NTFS, APFS) cap one name at 255 bytes. */
export const MAX_NAME_BYTES = 255;

/** Reserved on Windows with or without an extension (`CON`, `nul.txt`, `COM1.tar.gz`). */
const DEVICE = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])$/i;
/** `/` and `\` (documented: they become `_`), the other characters Windows refuses, and C0/C1 controls. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const UNSAFE = /[\\/<>:"|?*\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and isolates: used to disguise `exe` as `txt` (`invoice\u202Etxt.exe`). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * A name that is safe to create inside the download folder: one path segment, no `..`, no
 * control or bidi characters, no Windows device name, no leading dot (hidden file) or trailing
 * dot/space, at most 255 bytes
 * of UTF-8 (the extension kept when the rest is cut), never empty.
 */
export function safeAttachmentName(name: unknown, fallback = DEFAULT_ATTACHMENT_NAME): string {
  let s = typeof name === 'string' ? name : '';
  s = s.normalize('NFC').replace(UNSAFE, '_').replace(BIDI, '_');
  // Trailing dots and spaces vanish on Windows (`evil.exe.` is `evil.exe`); leading spaces confuse shells.
  s = s.replace(/[. ]+$/, '').replace(/^ +/, '');
  if (/^\.*$/.test(s)) return fallback === '' ? DEFAULT_ATTACHMENT_NAME : safeAttachmentName(fallback, DEFAULT_ATTACHMENT_NAME);
  const stem = s.split('.')[0]!.trim();
  // Device names, and leading dots: `../../x` must not become a hidden `.._.._x` the analyst never sees.
  if (DEVICE.test(stem) || s.startsWith('.')) s = `_${s}`;
  return capNameBytes(s, MAX_NAME_BYTES);
}

/** Cuts a name to `maxBytes` of UTF-8 without splitting a character, keeping a short extension. */
export function capNameBytes(name: string, maxBytes = MAX_NAME_BYTES): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot), 'utf8') <= 32 ? name.slice(dot) : '';
  const stem = ext ? name.slice(0, dot) : name;
  const room = maxBytes - Buffer.byteLength(ext, 'utf8');
  let out = '';
  let used = 0;
  for (const ch of stem) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > room) break;
    out += ch;
    used += n;
  }
  return out.replace(/[. ]+$/, '') + ext || DEFAULT_ATTACHMENT_NAME;
}

/**
 * `report.pdf` -> `report-SUFFIX.pdf`: the suffix goes before the last extension so the file
 * still opens with the same program; the result stays within the byte cap.
 */
export function withSuffix(name: string, suffix: string): string {
  const dot = name.lastIndexOf('.');
  const hasExt = dot > 0 && dot < name.length - 1;
  const stem = hasExt ? name.slice(0, dot) : name;
  const ext = hasExt ? name.slice(dot) : '';
  const tail = `-${suffix}${ext}`;
  return capNameBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(tail, 'utf8')) + tail;
}

/**
 * `root/parts...` resolved, refused unless it stays strictly inside `root`: the last line of
 * defence should a name ever slip through `safeAttachmentName`.
 */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  const rel = path.relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(`Refusing to write outside the ${DOWNLOAD_PATH} "${root}".`, DOWNLOAD_PATH);
  }
  return full;
}

/** `SUBJECT.eml` as a safe file name (no path separators, device names or control characters); `fallback` for an empty subject. */
export function emlFileName(subject: unknown, fallback = 'email'): string {
  const s = typeof subject === 'string' ? subject.trim() : '';
  return safeAttachmentName(`${s === '' ? fallback : s}.eml`);
}
