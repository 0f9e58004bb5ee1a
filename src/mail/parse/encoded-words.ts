import { decodeWords } from 'postal-mime';

/** An RFC 2047 "B" encoded-word: charset (with an optional *language), then the base64 text. */
const B_WORD = /=\?([^?\s]+)\?([Bb])\?([^?\s]*)\?=/g;

/**
 * The base64 text of an encoded-word with exactly the padding its length calls for. Senders write
 * words like `=?UTF-8?B?SGk===?=`; postal-mime's decoder turns every surplus "=" into a NUL
 * character (a subject ending in "\u0000\u0000"), where Python's `email` and mail clients drop
 * it. A last character that cannot complete a byte (length 4n+1) carries no data and is dropped too.
 */
function repad(text: string): string {
  const data = text.replace(/=+$/, '');
  const whole = data.length % 4 === 1 ? data.slice(0, -1) : data;
  return whole + '='.repeat((4 - (whole.length % 4)) % 4);
}

/** The value with the padding of every base64 encoded-word put right; everything else untouched. */
export function normalizeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(B_WORD, (word, charset: string, b: string, text: string) => {
    const fixed = repad(text);
    return fixed === text ? word : `=?${charset}?${b}?${fixed}?=`;
  });
}

/**
 * Header text with its RFC 2047 encoded-words decoded (postal-mime's decoder, on the value with
 * its base64 padding put right). A value the decoder rejects is kept as written: it is evidence.
 */
export function decodeHeaderText(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return decodeWords(normalizeEncodedWords(value));
  } catch {
    return value;
  }
}
