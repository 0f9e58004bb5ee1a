import iconv from 'iconv-lite';

/**
 * Windows code pages as Outlook stores them (PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID, RTF \ansicpg)
 * and how to decode them. iconv-lite covers the single-byte and CJK Windows pages; the few it
 * lacks (ISO-2022-JP, EUC-JP) are decoded by the platform's TextDecoder.
 */

const TEXT_DECODER_NAMES: Record<number, string> = {
  50220: 'iso-2022-jp',
  50221: 'iso-2022-jp',
  50222: 'iso-2022-jp',
  51932: 'euc-jp',
  20932: 'euc-jp',
  52936: 'gbk',
};

const ICONV_NAMES: Record<number, string> = {
  65001: 'utf8',
  1200: 'utf16le',
  1201: 'utf16be',
  20127: 'ascii',
  20866: 'koi8-r',
  21866: 'koi8-u',
  54936: 'gb18030',
  51949: 'euc-kr',
  10000: 'macintosh',
};
for (let n = 1; n <= 16; n++) ICONV_NAMES[28590 + n] = `iso-8859-${n}`;

/** The iconv-lite or TextDecoder encoding for a Windows code page, or null when neither knows it. */
export function encodingForCodepage(codepage: number): string | null {
  const special = ICONV_NAMES[codepage];
  if (special && iconv.encodingExists(special)) return special;
  if (TEXT_DECODER_NAMES[codepage]) return TEXT_DECODER_NAMES[codepage]!;
  const generic = `cp${codepage}`;
  return iconv.encodingExists(generic) ? generic : null;
}

/** Decodes with the code page; unknown pages fall back to windows-1252, which never fails. */
export function decodeCodepage(bytes: Uint8Array, codepage: number | null | undefined): string {
  const enc = codepage ? encodingForCodepage(codepage) : null;
  return decodeCharset(bytes, enc ?? 'cp1252');
}

/** Decodes with a charset label (MIME/HTML name or iconv name); unknown labels use windows-1252. */
export function decodeCharset(bytes: Uint8Array, label: string): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (iconv.encodingExists(label)) return iconv.decode(buf, label);
  try {
    return new TextDecoder(label).decode(buf);
  } catch {
    return iconv.decode(buf, 'cp1252');
  }
}

/**
 * The ANSI code page that a non-Unicode Outlook store used for its PT_STRING8 properties,
 * inferred from an internet code page (the message's MIME charset): ISO-2022-JP mail was
 * written by a Japanese Windows, so its ANSI strings are cp932, and so on.
 */
export function ansiCodepageForInternetCodepage(cpid: number): number | null {
  if ([932, 50220, 50221, 50222, 51932, 20932].includes(cpid)) return 932;
  if ([936, 52936, 54936, 20936, 50227].includes(cpid)) return 936;
  if ([949, 51949, 50225].includes(cpid)) return 949;
  if ([950, 20000, 20002].includes(cpid)) return 950;
  if ([20866, 21866, 28595].includes(cpid)) return 1251;
  if (cpid === 28592) return 1250;
  if (cpid === 28597) return 1253;
  if (cpid === 28599) return 1254;
  if (cpid === 28598 || cpid === 38598) return 1255;
  if (cpid === 28596) return 1256;
  if (cpid === 28594 || cpid === 28603) return 1257;
  if (cpid === 874 || (cpid >= 1250 && cpid <= 1258)) return cpid;
  if (cpid === 28591 || cpid === 28605) return 1252;
  // us-ascii, UTF-8 and UTF-16 say nothing about the writer's ANSI page.
  return null;
}

/** The ANSI code page of a Windows locale (LCID), as Windows assigns it. */
export function ansiCodepageForLcid(lcid: number): number {
  const primary = lcid & 0x3ff;
  switch (primary) {
    case 0x11: return 932; // Japanese
    case 0x12: return 949; // Korean
    case 0x04: return [0x0404, 0x0c04, 0x1404].includes(lcid) ? 950 : 936;
    case 0x1e: return 874; // Thai
    case 0x2a: return 1258; // Vietnamese
    case 0x08: return 1253; // Greek
    case 0x0d: return 1255; // Hebrew
    case 0x01: case 0x29: case 0x20: return 1256; // Arabic, Persian, Urdu
    case 0x25: case 0x26: case 0x27: return 1257; // Baltic
    case 0x1f: return 1254; // Turkish
    case 0x19: case 0x22: case 0x23: case 0x02: case 0x2f: case 0x3f: case 0x40: case 0x44: case 0x50:
      return 1251; // Cyrillic
    case 0x1a: return [0x0c1a, 0x1c1a, 0x201a].includes(lcid) ? 1251 : 1250; // Serbian Cyrillic vs Croatian
    case 0x05: case 0x0e: case 0x15: case 0x18: case 0x1b: case 0x1c: case 0x24:
      return 1250; // Central European
    case 0x2c: case 0x43: return lcid === 0x082c || lcid === 0x0843 ? 1251 : 1254; // Azeri, Uzbek
    default: return 1252;
  }
}
