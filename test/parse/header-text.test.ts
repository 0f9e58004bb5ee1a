/** RFC 2047 header text (over-padded base64 words) and RFC 5322 dates, read without guesswork. */
import { describe, expect, it } from 'vitest';
import { parseMailDate } from '../../src/mail/parse/date.ts';
import { decodeHeaderText, normalizeEncodedWords } from '../../src/mail/parse/encoded-words.ts';

describe('decodeHeaderText', () => {
  it.each([
    ['=?UTF-8?B?SGk===?=', 'Hi'],
    ['=?UTF-8?B?SGk=?=', 'Hi'],
    ['=?UTF-8?B?SGk?=', 'Hi'],
    ['=?utf-8?b?SGVsbG8gV29ybGQ===?= again', 'Hello World again'],
    ['=?UTF-8?B?WW91ciBBY2NvdW50IEJpbGxpbmcgTm90aWNl==?=', 'Your Account Billing Notice'],
    ['=?UTF-8?B?SGk=?= =?UTF-8?B?IHRoZXJl?=', 'Hi there'],
    ['=?UTF-8?Q?Caf=C3=A9?=', 'Café'],
    ['plain text', 'plain text'],
  ])('%s', (value, expected) => {
    expect(decodeHeaderText(value)).toBe(expected);
    expect(decodeHeaderText(value)).not.toContain('\u0000');
  });

  it('leaves well-padded words and other text exactly as they were', () => {
    const value = 'Re: =?UTF-8?B?SGk=?= and =?ISO-8859-1?Q?a?= =?UTF-8?B?SGk===?=';
    expect(normalizeEncodedWords(value)).toBe('Re: =?UTF-8?B?SGk=?= and =?ISO-8859-1?Q?a?= =?UTF-8?B?SGk=?=');
  });

  it('still joins a character split across two words (only the padding is put right)', () => {
    // "é" is C3 A9: "abC3" in the first word, A9 in the second.
    expect(decodeHeaderText('=?UTF-8?B?YWLD?= =?UTF-8?B?qQ==?=')).toBe('abé');
    expect(decodeHeaderText('=?UTF-8?B?YWLD==?= =?UTF-8?B?qQ===?=')).toBe('abé');
  });
});

describe('parseMailDate', () => {
  it.each([
    ['Thu, 4 Jul 2024 12:11:29 +0530', '2024-07-04T06:41:29.000Z'],
    ['4 Jul 2024 12:11:29 +0530', '2024-07-04T06:41:29.000Z'],
    ['Tue, 16 Jun 2030 07:15:52 +0000 (UTC)', '2030-06-16T07:15:52.000Z'],
    ['Fri, 20 Apr 01 19:35:02 -0400', '2001-04-20T23:35:02.000Z'],
    ['Mon, 02 Jan 2023 10:00 EST', '2023-01-02T15:00:00.000Z'],
    ['Mon, 02 Jan 2023 10:00:00 -0000', '2023-01-02T10:00:00.000Z'],
    ['Mon, 02 Jan 2023 10:00:00 CEST', '2023-01-02T10:00:00.000Z'],
    ['Mon, 02 Jan 2023 10:00:00', '2023-01-02T10:00:00.000Z'],
    ['Mon Jan  2 10:00:00 2023', '2023-01-02T10:00:00.000Z'],
    ['Jan 2 2023 10:00:00 +0100', '2023-01-02T09:00:00.000Z'],
    ['02-Jan-23 10:00:00 +0000', '2023-01-02T10:00:00.000Z'],
    ['2023-01-02T10:00:00+01:00', '2023-01-02T09:00:00.000Z'],
  ])('%s', (value, iso) => {
    expect(parseMailDate(value)).toBe(iso);
  });

  it.each(['04-11-2023', '2023-01-02T10:00:00', 'yesterday', '', '31 Feb 2023 10:00:00 +0000', '2 Jan 2023 25:00:00 +0000', 'Mon, 2 Foo 2023 10:00:00 +0000'])(
    'names no instant for %j (no zone guessed, no date rolled over)',
    (value) => {
      expect(parseMailDate(value)).toBeNull();
    },
  );
});
