import { describe, expect, it } from 'vitest';
import { and, contains, encodeQuery, eq, escapeSearch, ge, lt, mailboxFromPath, odataString, or, buildUrl } from '../../src/graph/index.ts';

describe('OData builders', () => {
  it("doubles single quotes: O'Brien", () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(eq('from/emailAddress/address', "o'brien@x.test")).toBe("from/emailAddress/address eq 'o''brien@x.test'");
  });

  it('keeps an injection attempt inside the literal', () => {
    const f = eq('subject', "') or (1 eq 1");
    expect(f).toBe("subject eq ''') or (1 eq 1'");
    // The literal is one token: after removing it nothing but the comparison is left.
    expect(f.replace(/'(?:[^']|'')*'/g, 'LIT')).toBe('subject eq LIT');
  });

  it('handles parentheses and quotes in contains', () => {
    expect(contains('subject', "(urgent) it's")).toBe("contains(subject,'(urgent) it''s')");
  });

  it('writes DateTimeOffset literals without quotes', () => {
    expect(ge('receivedDateTime', new Date('2024-05-01T10:00:00Z'))).toBe('receivedDateTime ge 2024-05-01T10:00:00Z');
    expect(lt('receivedDateTime', new Date('2024-05-01T10:00:00.250Z'))).toBe('receivedDateTime lt 2024-05-01T10:00:00.250Z');
    expect(() => ge('receivedDateTime', new Date('nope'))).toThrow(TypeError);
    // A date Graph's year rule cannot carry is refused, not sent as -016987-...
    expect(() => ge('receivedDateTime', new Date(Date.UTC(-16987, 0, 1)))).toThrow('A filter date must lie in the years 0001 to 9999, got the year -16987.');
    expect(() => ge('receivedDateTime', new Date(8.64e15))).toThrow(TypeError);
    expect(ge('receivedDateTime', new Date('0001-01-01T00:00:00Z'))).toBe('receivedDateTime ge 0001-01-01T00:00:00Z');
    expect(lt('receivedDateTime', new Date('9999-12-31T23:59:59Z'))).toBe('receivedDateTime lt 9999-12-31T23:59:59Z');
  });

  it('and() skips empty clauses and parenthesises a clause with a top-level or', () => {
    expect(and(eq('isRead', false), '', undefined, contains('subject', 'a'))).toBe("isRead eq false and contains(subject,'a')");
    expect(and(eq('subject', 'x or y'))).toBe("subject eq 'x or y'");
    expect(and("a eq 'x or y'", 'b eq 1')).toBe("a eq 'x or y' and b eq 1");
    expect(and('a eq 1 or b eq 2', 'c eq 3')).toBe('(a eq 1 or b eq 2) and c eq 3');
    expect(and(or(eq('a', 1), eq('b', 2)), eq('c', 3))).toBe('(a eq 1 or b eq 2) and c eq 3');
  });

  it('rejects control characters and bad property paths', () => {
    expect(() => odataString('a\nb')).toThrow(/U\+000A/);
    expect(() => odataString('a\u0000b')).toThrow(TypeError);
    expect(odataString('a\tb')).toBe("'a\tb'");
    expect(() => eq("subject eq 'x' or subject", 'y')).toThrow(TypeError);
  });

  it('escapes $search text as one quoted phrase', () => {
    expect(escapeSearch('pizza')).toBe('"pizza"');
    expect(escapeSearch('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  it('URL-encodes query values: %20 for spaces, $ keys unencoded, quotes kept, & and # escaped', () => {
    expect(encodeQuery({ $filter: "subject eq 'a&b #1'", $top: 10, $select: 'id,subject', skip: undefined })).toBe(
      "$filter=subject%20eq%20'a%26b%20%231'&$top=10&$select=id,subject",
    );
    expect(encodeQuery({ $search: escapeSearch('a "b"') })).toBe('$search=%22a%20%5C%22b%5C%22%22');
    expect(buildUrl('https://g.test/', 'v1.0', '/users/a/messages?$top=1', { $skip: 2 })).toBe('https://g.test/v1.0/users/a/messages?$top=1&$skip=2');
  });

  it('derives the mailbox key from the path', () => {
    expect(mailboxFromPath('/users/Alice%40X.test/messages')).toBe('alice@x.test');
    expect(mailboxFromPath('https://g.test/beta/users/bob@x.test/mailFolders?$top=1')).toBe('bob@x.test');
    expect(mailboxFromPath('/users?$filter=x')).toBeUndefined();
    expect(mailboxFromPath('/$batch')).toBeUndefined();
  });
});
