/** Address headers read from malformed values as well as Python's getaddresses does, or better (see test/corpus/oracle.test.ts). */
import { describe, expect, it } from 'vitest';
import { firstWithAddress, parseAddressList } from '../../src/mail/parse/addresses.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('parseAddressList: well-formed lists', () => {
  it.each([
    ['a@b.example', [{ name: '', address: 'a@b.example' }]],
    ['Alice <alice@b.example>, "Doe, John" <j@d.example>', [{ name: 'Alice', address: 'alice@b.example' }, { name: 'Doe, John', address: 'j@d.example' }]],
    ['"Quoted \\"x\\"" <q@r.example>', [{ name: 'Quoted "x"', address: 'q@r.example' }]],
    ['barry@python.example (Barry A. Warsaw)', [{ name: 'Barry A. Warsaw', address: 'barry@python.example' }]],
    ['Sales (EMEA) <s@x.example>', [{ name: 'Sales (EMEA)', address: 's@x.example' }]],
    ['Team: a@b.example, C <c@d.example>;, z@z.example', [{ name: '', address: 'a@b.example' }, { name: 'C', address: 'c@d.example' }, { name: '', address: 'z@z.example' }]],
    ['undisclosed-recipients:;', []],
    ['<@relay.example:a@b.example>', [{ name: '', address: 'a@b.example' }]],
    ['<>', []],
  ])('%s', (value, expected) => {
    expect(parseAddressList(value)).toEqual(expected);
  });

  it('decodes RFC 2047 display names, quoted or not, and over-padded base64 without NULs', () => {
    expect(parseAddressList(`=?UTF-8?B?${b64('Zoë Ö')}?= <z@x.example>`)).toEqual([{ name: 'Zoë Ö', address: 'z@x.example' }]);
    expect(parseAddressList(`"=?UTF-8?Q?Caf=C3=A9?=" <c@x.example>`)).toEqual([{ name: 'Café', address: 'c@x.example' }]);
    expect(parseAddressList('=?UTF-8?B?SGk===?= <h@x.example>')).toEqual([{ name: 'Hi', address: 'h@x.example' }]);
  });
});

describe('parseAddressList: malformed headers keep every address', () => {
  it('joins a display name cut by a stray comma onto the angle address after it (corpus pp-sample-2600)', () => {
    expect(parseAddressList('Audien Atom - Hearing Aid  ,_<avag@4mw0n1x20iiup50kpahu.example>')).toEqual([
      { name: 'Audien Atom - Hearing Aid', address: 'avag@4mw0n1x20iiup50kpahu.example' },
    ]);
    expect(parseAddressList('Doe, John <j@d.example>')).toEqual([{ name: 'Doe, John', address: 'j@d.example' }]);
    expect(parseAddressList('Doe, John, Jr. <j@d.example>, x@y.example')).toEqual([
      { name: 'Doe, John, Jr.', address: 'j@d.example' },
      { name: '', address: 'x@y.example' },
    ]);
    expect(parseAddressList('Black Friday Team;<s@stay.example>')).toEqual([{ name: 'Black Friday Team', address: 's@stay.example' }]);
  });

  it('never joins across a group, and never makes a name fragment the author when an address exists', () => {
    expect(parseAddressList('Team: Lost Name, ; <a@b.example>')).toEqual([
      { name: 'Lost Name', address: '' },
      { name: '', address: 'a@b.example' },
    ]);
    expect(firstWithAddress(parseAddressList('Just A Name, <a@b.example> x'))).toEqual({ name: 'Just A Name, x', address: 'a@b.example' });
    expect(firstWithAddress([{ name: 'Only a name', address: '' }, { name: '', address: 'a@b.example' }])).toEqual({ name: '', address: 'a@b.example' });
    expect(firstWithAddress([{ name: 'Only a name', address: '' }])).toEqual({ name: 'Only a name', address: '' });
  });

  it('keeps an address as written inside its angle brackets, and reads a nested one', () => {
    expect(parseAddressList('"phishing@pot" <phishing@pot@hotmail.example>')).toEqual([{ name: 'phishing@pot', address: 'phishing@pot@hotmail.example' }]);
    expect(parseAddressList('Team <rewards@hd-promos,com>')).toEqual([{ name: 'Team', address: 'rewards@hd-promos,com' }]);
    expect(parseAddressList('Recipients <Mr. Taylor <info3@gogies.example>>')).toEqual([{ name: 'Recipients Mr. Taylor', address: 'info3@gogies.example' }]);
    expect(parseAddressList('<a@b.example> <c@d.example>')).toEqual([
      { name: '', address: 'a@b.example' },
      { name: '', address: 'c@d.example' },
    ]);
  });

  it('reads past a quote that is never closed, and an angle bracket that is never closed', () => {
    expect(parseAddressList('"Mr. Taylor <info3@gogies.example>')).toEqual([{ name: 'Mr. Taylor', address: 'info3@gogies.example' }]);
    expect(parseAddressList('Name <a@b.example, Other <o@p.example>')).toEqual([
      { name: 'Name', address: 'a@b.example' },
      { name: 'Other', address: 'o@p.example' },
    ]);
    expect(parseAddressList('x@y.example <')).toEqual([{ name: '', address: 'x@y.example' }]);
  });

  it('finds a bare address among words, and takes a lone word or <word> for a local address as Python does', () => {
    expect(parseAddressList('John Smith john@smith.example')).toEqual([{ name: 'John Smith', address: 'john@smith.example' }]);
    expect(parseAddressList('<a@b.example> John')).toEqual([{ name: 'John', address: 'a@b.example' }]);
    expect(parseAddressList('postmaster')).toEqual([{ name: '', address: 'postmaster' }]);
    expect(parseAddressList('<You>')).toEqual([{ name: '', address: 'You' }]);
    expect(parseAddressList('Security Team')).toEqual([{ name: 'Security Team', address: '' }]);
  });

  it('never takes quoted text for an address (RFC 5321 allows "a@b"@c), but reads a mailbox sent as one encoded-word', () => {
    expect(parseAddressList('"evil@attacker.example"')).toEqual([{ name: 'evil@attacker.example', address: '' }]);
    expect(parseAddressList(`=?UTF-8?B?${b64('Evil Corp <evil@x.example>')}?=`)).toEqual([{ name: 'Evil Corp', address: 'evil@x.example' }]);
    // A bare encoded address is a name: it was never written as an address.
    expect(parseAddressList(`=?UTF-8?B?${b64('evil@x.example')}?=`)).toEqual([{ name: 'evil@x.example', address: '' }]);
  });

  it('reads headers of pathological shape to the end (unclosed brackets, quotes and comments by the thousand)', () => {
    expect(parseAddressList('<a,'.repeat(2000) + '>')).toHaveLength(2000);
    expect(parseAddressList('(('.repeat(5000)).every((a) => a.address === '')).toBe(true);
    expect(parseAddressList('a b, '.repeat(2000) + '<z@z.example>').at(-1)).toEqual({ name: 'a b, a b, a b, a b, a b, a b, a b, a b', address: 'z@z.example' });
  });
});
