import { describe, expect, it } from 'vitest';
import { senderAddress, withoutAngleBrackets } from '../../src/mail/header-values.ts';
import { parseMailId } from '../../src/mail/mail-ids.ts';
import { parseParams } from '../../src/soar/params.ts';
import { InputError } from '../../src/soar/errors.ts';
import { searchEmails } from '../../src/actions/search-emails.ts';
import { criteriaParams } from '../../src/sweep/inputs.ts';
import { searchFilter } from '../../src/mail/search.ts';

describe('withoutAngleBrackets', () => {
  it('unwraps one or more bracket pairs, and a lone bracket', () => {
    expect(withoutAngleBrackets(' <a@b.example> ')).toBe('a@b.example');
    expect(withoutAngleBrackets('<<a@b.example>>')).toBe('a@b.example');
    expect(withoutAngleBrackets('<a@b.example')).toBe('a@b.example');
    expect(withoutAngleBrackets('a@b.example>')).toBe('a@b.example');
    expect(withoutAngleBrackets('a@b.example')).toBe('a@b.example');
  });

  it('is what Mail IDs use: every bracket form names one internetMessageId', () => {
    for (const form of ['x@y.example', '<x@y.example>', '<<x@y.example>>', ' <x@y.example', 'x@y.example> ']) {
      expect(parseMailId(form)).toMatchObject({ kind: 'internetMessageId', value: '<x@y.example>' });
    }
  });
});

describe('senderAddress', () => {
  it('takes the address out of the forms people paste from a From header', () => {
    expect(senderAddress('a@b.example')).toBe('a@b.example');
    expect(senderAddress('  a@b.example ')).toBe('a@b.example');
    expect(senderAddress('<a@b.example>')).toBe('a@b.example');
    expect(senderAddress('Name <a@b.example>')).toBe('a@b.example');
    expect(senderAddress('"Name, X" <a@b.example>')).toBe('a@b.example');
    expect(senderAddress('"IT <Support>, \\"Desk\\"" <it@b.example>')).toBe('it@b.example');
    expect(senderAddress('=?utf-8?B?SVQgU3VwcG9ydA==?= <it@b.example>')).toBe('it@b.example');
    expect(senderAddress('Name (comment <x>) <a@b.example>')).toBe('a@b.example');
    expect(senderAddress('a@b.example (Name)')).toBe('a@b.example');
    expect(senderAddress('Name <a@b.example')).toBe('a@b.example');
    expect(senderAddress('<<a@b.example>>')).toBe('a@b.example');
    // A quoted local part is an address of its own, kept as written.
    expect(senderAddress('"john doe"@b.example')).toBe('"john doe"@b.example');
  });

  it('refuses an empty <> and several addresses, saying which', () => {
    expect(() => senderAddress('<>')).toThrow('expected an email address, got "<>" (nothing between < and >).');
    expect(() => senderAddress('Name < >')).toThrow(TypeError);
    expect(() => senderAddress('A <a@b.example>, B <c@d.example>')).toThrow('expected one sender address, got 2 (a@b.example, c@d.example).');
  });
});

describe('Sender Filter', () => {
  const parse = (sender: string) => criteriaParams(parseParams(searchEmails.params, { 'Search In Mailbox': 'soc@x.example', 'Folder Name': 'Inbox', 'Sender Filter': sender }));

  it('reaches the $filter as the bare address, escaped by odata.ts', () => {
    const now = new Date('2024-05-01T00:00:00Z');
    const filter = (sender: string) => searchFilter(parse(sender), now);
    const expected = "receivedDateTime ge 1900-01-01T00:00:00Z and from/emailAddress/address eq 'it@evil.example'";
    expect(filter('"IT, Support" <it@evil.example>')).toBe(expected);
    expect(filter('<it@evil.example>')).toBe(expected);
    expect(filter('it@evil.example')).toBe(expected);
    expect(filter("O'Brien <o'brien@evil.example>")).toBe("receivedDateTime ge 1900-01-01T00:00:00Z and from/emailAddress/address eq 'o''brien@evil.example'");
  });

  it('names the parameter when the value holds no single address', () => {
    for (const [value, reason] of [
      ['Name <>', 'expected an email address, got "Name <>" (nothing between < and >).'],
      ['<a@b.example>, <c@d.example>', 'expected one sender address, got 2 (a@b.example, c@d.example).'],
    ]) {
      let err: unknown;
      try {
        parse(value);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(err).toMatchObject({ parameter: 'Sender Filter', message: `Invalid value for parameter "Sender Filter": ${reason}` });
    }
  });
});
