import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../emulator/errors.ts';
import {
  compileFilter,
  compileMessageQuery,
  compileOrderBy,
  compileSearch,
  compileSelect,
  mailFolderSchema,
  messageSchema,
  tokenize,
} from '../../emulator/odata/index.ts';

type Msg = Record<string, unknown>;

const rcpt = (address: string, name = address) => ({ emailAddress: { name, address } });

const messages: Msg[] = [
  {
    id: 'm1',
    '@odata.etag': 'W/"1"',
    subject: "Let's meet for lunch?",
    from: rcpt('Garth@Contoso.com', 'Garth Fort'),
    sender: rcpt('garth@contoso.com'),
    toRecipients: [rcpt('alice@contoso.com'), rcpt('bob@contoso.com')],
    ccRecipients: [],
    bccRecipients: [],
    receivedDateTime: '2024-01-02T10:00:00Z',
    sentDateTime: '2024-01-02T09:59:00Z',
    isRead: false,
    isDraft: false,
    hasAttachments: true,
    importance: 'high',
    internetMessageId: '<lunch@contoso.com>',
    conversationId: 'conv-1',
    parentFolderId: 'inbox',
    categories: ['Red category'],
    body: { contentType: 'html', content: '<p>Pizza at <b>noon</b></p>' },
    bodyPreview: 'Pizza at noon',
    attachments: [{ name: 'menu.pdf' }],
  },
  {
    id: 'm2',
    '@odata.etag': 'W/"2"',
    subject: 'Password expiry',
    from: rcpt('support@evil.example', 'IT Support'),
    sender: rcpt('support@evil.example'),
    toRecipients: [rcpt('alice@contoso.com')],
    ccRecipients: [rcpt('carol@contoso.com')],
    bccRecipients: [],
    receivedDateTime: '2024-03-05T08:00:00Z',
    sentDateTime: '2024-03-05T07:00:00Z',
    isRead: true,
    isDraft: false,
    hasAttachments: false,
    importance: 'normal',
    internetMessageId: '<pw@evil.example>',
    conversationId: 'conv-2',
    parentFolderId: 'junk',
    categories: [],
    body: { contentType: 'text', content: 'Click here to keep your password' },
    bodyPreview: 'Click here to keep your password',
  },
  {
    id: 'm3',
    '@odata.etag': 'W/"3"',
    subject: 'Quarterly report',
    from: null,
    sender: null,
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    receivedDateTime: '2023-12-31T23:59:59Z',
    sentDateTime: '2023-12-31T23:00:00Z',
    isRead: false,
    isDraft: true,
    hasAttachments: false,
    importance: 'low',
    internetMessageId: '<q@contoso.com>',
    conversationId: 'conv-1',
    parentFolderId: 'inbox',
    categories: ['Blue category', 'Red category'],
    body: { contentType: 'text', content: 'Numbers attached' },
    bodyPreview: 'Numbers attached',
  },
];

const ids = (filter: string): string[] => messages.filter(compileFilter(filter, messageSchema)).map((m) => m.id as string);

function graphError(fn: () => unknown): EmulatorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatorError) return e;
    throw e;
  }
  throw new Error('expected an EmulatorError');
}

describe('$filter', () => {
  it('compares strings case-insensitively, with doubled quotes as escapes', () => {
    expect(ids("subject eq 'let''s meet for LUNCH?'")).toEqual(['m1']);
    expect(ids("from/emailAddress/address eq 'garth@contoso.com'")).toEqual(['m1']);
    expect(ids("from/emailAddress/name eq 'it support'")).toEqual(['m2']);
    expect(ids("sender/emailAddress/address ne 'garth@contoso.com'")).toEqual(['m2', 'm3']);
  });

  it('supports booleans, null, enums and every comparison operator', () => {
    expect(ids('isRead eq false')).toEqual(['m1', 'm3']);
    expect(ids('isRead ne false and hasAttachments eq false')).toEqual(['m2']);
    expect(ids('isDraft eq true')).toEqual(['m3']);
    expect(ids("importance eq 'HIGH'")).toEqual(['m1']);
    expect(ids('from eq null')).toEqual(['m3']);
    expect(ids('from ne null')).toEqual(['m1', 'm2']);
    expect(ids("subject gt null")).toEqual([]);
    expect(ids("internetMessageId eq '<pw@evil.example>'")).toEqual(['m2']);
    expect(ids("conversationId eq 'conv-1' and parentFolderId eq 'inbox'")).toEqual(['m1', 'm3']);
  });

  it('compares DateTimeOffset literals chronologically', () => {
    expect(ids('receivedDateTime ge 2024-01-01T00:00:00Z')).toEqual(['m1', 'm2']);
    expect(ids('receivedDateTime lt 2024-01-02T10:00:00Z')).toEqual(['m3']);
    expect(ids('receivedDateTime le 2024-01-02T10:00:00Z')).toEqual(['m1', 'm3']);
    expect(ids('receivedDateTime gt 2024-01-02T11:00:00+02:00')).toEqual(['m1', 'm2']);
    expect(ids('receivedDateTime gt 2024-01-02T12:00:00+02:00')).toEqual(['m2']);
    expect(ids('sentDateTime gt 2024-03-05')).toEqual(['m2']);
    expect(ids('receivedDateTime ge 2024-01-01T00:00:00.000Z and receivedDateTime lt 2024-02-01T00:00:00Z')).toEqual(['m1']);
  });

  it('honours precedence: not > and > or, and parentheses', () => {
    expect(ids("isRead eq true or isDraft eq true and importance eq 'high'")).toEqual(['m2']);
    expect(ids("(isRead eq true or isDraft eq true) and importance eq 'low'")).toEqual(['m3']);
    expect(ids('not (isRead eq true)')).toEqual(['m1', 'm3']);
    expect(ids("not startswith(subject,'pass') and not isDraft eq true")).toEqual(['m1']);
  });

  it('supports contains, startswith and endswith case-insensitively', () => {
    expect(ids("contains(subject,'REPORT')")).toEqual(['m3']);
    expect(ids("startswith(from/emailAddress/address,'SUPPORT@')")).toEqual(['m2']);
    expect(ids("endswith(from/emailAddress/address,'contoso.com')")).toEqual(['m1']);
    expect(ids("contains(tolower(subject),'lunch')")).toEqual(['m1']);
  });

  it('supports any/all lambdas over recipients and categories', () => {
    expect(ids("toRecipients/any(r:r/emailAddress/address eq 'BOB@contoso.com')")).toEqual(['m1']);
    expect(ids("ccRecipients/any(r: contains(r/emailAddress/address, 'carol'))")).toEqual(['m2']);
    expect(ids("categories/any(c:c eq 'red category')")).toEqual(['m1', 'm3']);
    expect(ids("toRecipients/all(r:endswith(r/emailAddress/address,'@contoso.com'))")).toEqual(['m1', 'm2', 'm3']);
    expect(ids('ccRecipients/any()')).toEqual(['m2']);
  });

  it('rejects bad syntax with Graph\'s BadRequest "Invalid filter clause"', () => {
    for (const bad of ["subject eq 'open", 'subject eq', 'subject eq eq', '(isRead eq true', 'isRead eq true)', 'subject EQ 1', 'a $ b', '']) {
      const e = graphError(() => compileFilter(bad, messageSchema));
      expect(e.status, bad).toBe(400);
      expect(e.code, bad).toBe('BadRequest');
      expect(e.message, bad).toMatch(/^Invalid filter clause: /);
    }
    expect(graphError(() => compileFilter("subject eq 'open", messageSchema)).message).toBe(
      "Invalid filter clause: Unterminated string literal at position 16 in 'subject eq 'open'.",
    );
    expect(graphError(() => compileFilter("substringof('a',subject)", messageSchema)).message).toMatch(/unknown function with name 'substringof'/);
  });

  it('rejects unknown properties and mistyped comparisons like Graph', () => {
    const unknown = graphError(() => compileFilter("size eq 'x'", messageSchema));
    expect(unknown.code).toBe('RequestBroker--ParseUri');
    expect(unknown.message).toBe("Could not find a property named 'size' on type 'Microsoft.OutlookServices.Message'.");
    expect(graphError(() => compileFilter("from/emailAddress/mail eq 'x'", messageSchema)).message).toBe(
      "Could not find a property named 'mail' on type 'Microsoft.OutlookServices.EmailAddress'.",
    );
    expect(graphError(() => compileFilter("receivedDateTime ge '2024-01-01'", messageSchema)).message).toBe(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'.",
    );
    expect(graphError(() => compileFilter("isRead eq 'true'", messageSchema)).code).toBe('RequestBroker--ParseUri');
    expect(graphError(() => compileFilter("toRecipients/emailAddress/address eq 'x'", messageSchema)).message).toMatch(/is not a single value/);
    expect(graphError(() => compileFilter("from eq 'x'", messageSchema)).message).toMatch(/incompatible types/);
    expect(graphError(() => compileFilter('subject', messageSchema)).message).toMatch(/Edm.Boolean/);
  });

  it('accepts property names case-insensitively, as Exchange does', () => {
    expect(ids("From/EmailAddress/Address eq 'garth@contoso.com'")).toEqual(['m1']);
  });

  it('works without a schema for other collections', () => {
    const folders = [
      { id: 'f1', displayName: 'Inbox', childFolderCount: 2 },
      { id: 'f2', displayName: 'Phishing', childFolderCount: 0 },
    ];
    expect(folders.filter(compileFilter("displayName eq 'phishing'")).map((f) => f.id)).toEqual(['f2']);
    expect(folders.filter(compileFilter('childFolderCount gt 0', mailFolderSchema)).map((f) => f.id)).toEqual(['f1']);
    expect(graphError(() => compileFilter("name eq 'x'", mailFolderSchema)).message).toBe(
      "Could not find a property named 'name' on type 'Microsoft.OutlookServices.MailFolder'.",
    );
  });

  it('tokenizes literals with positions', () => {
    expect(tokenize("a eq 'x''y' and b ge 2024-01-01T00:00:00Z").map((t) => [t.kind, t.value ?? t.text, t.pos])).toEqual([
      ['ident', 'a', 0],
      ['ident', 'eq', 2],
      ['string', "x'y", 5],
      ['ident', 'and', 12],
      ['ident', 'b', 16],
      ['ident', 'ge', 18],
      ['datetime', Date.UTC(2024, 0, 1), 21],
      ['eof', '', 41],
    ]);
  });
});

describe('$orderby', () => {
  const order = (orderby: string) => [...messages].sort(compileOrderBy(orderby, messageSchema)).map((m) => m.id);

  it('sorts by one or more keys, asc by default', () => {
    expect(order('receivedDateTime desc')).toEqual(['m2', 'm1', 'm3']);
    expect(order('receivedDateTime')).toEqual(['m3', 'm1', 'm2']);
    expect(order('isRead,subject desc')).toEqual(['m3', 'm1', 'm2']);
    expect(order('from/emailAddress/name')).toEqual(['m3', 'm1', 'm2']);
  });

  it('rejects unknown and non-primitive properties', () => {
    expect(graphError(() => compileOrderBy('nope', messageSchema)).message).toMatch(/Could not find a property named 'nope'/);
    expect(graphError(() => compileOrderBy('toRecipients', messageSchema)).status).toBe(400);
    expect(graphError(() => compileOrderBy('subject sideways', messageSchema)).status).toBe(400);
  });
});

describe('$select', () => {
  it('keeps only the selected properties plus id and annotations', () => {
    const project = compileSelect('subject, From', messageSchema);
    expect(project(messages[0]!)).toEqual({
      id: 'm1',
      '@odata.etag': 'W/"1"',
      subject: "Let's meet for lunch?",
      from: messages[0]!.from,
    });
  });

  it('rejects unknown properties', () => {
    const e = graphError(() => compileSelect('subject,bogus', messageSchema));
    expect(e.status).toBe(400);
    expect(e.message).toBe("Could not find a property named 'bogus' on type 'Microsoft.OutlookServices.Message'.");
    expect(graphError(() => compileSelect('from/emailAddress', messageSchema)).status).toBe(400);
  });
});

describe('compileMessageQuery', () => {
  it('combines filter, order and projection', () => {
    const q = compileMessageQuery({
      filter: 'receivedDateTime ge 2023-01-01T00:00:00Z and isRead eq false',
      orderby: 'receivedDateTime desc',
      select: 'subject',
    });
    const out = messages.filter((m) => q.matches(m)).sort((a, b) => q.compare!(a, b)).map((m) => q.project(m));
    expect(out).toEqual([
      { id: 'm1', '@odata.etag': 'W/"1"', subject: "Let's meet for lunch?" },
      { id: 'm3', '@odata.etag': 'W/"3"', subject: 'Quarterly report' },
    ]);
  });

  it('leaves compare undefined and projection identity when not asked', () => {
    const q = compileMessageQuery({});
    expect(q.compare).toBeUndefined();
    expect(q.project(messages[1]!)).toBe(messages[1]);
    expect(messages.every((m) => q.matches(m))).toBe(true);
  });

  it('enforces InefficientFilter: $orderby properties first in $filter, same order', () => {
    const inefficient = [
      { orderby: 'receivedDateTime', filter: "from/emailAddress/address eq 'x'" },
      { orderby: 'receivedDateTime', filter: "from/emailAddress/address eq 'x' and receivedDateTime ge 2024-01-01T00:00:00Z" },
      { orderby: 'hasAttachments,receivedDateTime', filter: 'receivedDateTime ge 2024-01-01T00:00:00Z and hasAttachments eq true' },
    ];
    for (const q of inefficient) {
      const e = graphError(() => compileMessageQuery(q));
      expect(e.code).toBe('InefficientFilter');
      expect(e.message).toBe('The restriction or sort order is too complex for this operation.');
    }
    const fine = [
      { orderby: 'receivedDateTime desc', filter: "receivedDateTime ge 1900-01-01T00:00:00Z and from/emailAddress/address eq 'x'" },
      { orderby: 'hasAttachments,receivedDateTime', filter: 'hasAttachments eq true and receivedDateTime ge 2024-01-01T00:00:00Z and isRead eq false' },
      { orderby: 'receivedDateTime' },
    ];
    for (const q of fine) expect(() => compileMessageQuery(q)).not.toThrow();
  });

  it('refuses $search with $filter or $orderby using Graph codes', () => {
    const withFilter = graphError(() => compileMessageQuery({ search: '"pizza"', filter: 'isRead eq true' }));
    expect([withFilter.status, withFilter.code, withFilter.message]).toEqual([400, 'SearchWithFilter', "The query parameter '$filter' is not supported with '$search'."]);
    const withOrder = graphError(() => compileMessageQuery({ search: '"pizza"', orderby: 'subject' }));
    expect([withOrder.code, withOrder.message]).toEqual(['SearchWithOrderBy', "The query parameter '$orderBy' is not supported with '$search'."]);
  });
});

describe('$search (KQL)', () => {
  const found = (search: string) => messages.filter(compileSearch(search)).map((m) => m.id);

  it('matches a bare term over subject, body and from', () => {
    expect(found('"pizza"')).toEqual(['m1']);
    expect(found('"password"')).toEqual(['m2']);
    expect(found('"garth"')).toEqual(['m1']);
    expect(found('pizza')).toEqual(['m1']);
    expect(found('"nothing-matches"')).toEqual([]);
  });

  it('supports property restrictions', () => {
    expect(found('"from:support@evil.example"')).toEqual(['m2']);
    expect(found('"subject:report"')).toEqual(['m3']);
    expect(found('"to:bob"')).toEqual(['m1']);
    expect(found('"cc:carol"')).toEqual(['m2']);
    expect(found('"participants:carol"')).toEqual(['m2']);
    expect(found('"hasAttachments:true"')).toEqual(['m1']);
    expect(found('"importance:low"')).toEqual(['m3']);
    expect(found('"attachment:menu"')).toEqual(['m1']);
    expect(found('"received:01/02/2024"')).toEqual(['m1']);
    expect(found('"received>=2024-01-02"')).toEqual(['m1', 'm2']);
    expect(found('"body:numbers"')).toEqual(['m3']);
  });

  it('supports AND, OR, NOT, implicit AND and quoted phrases', () => {
    expect(found('"pizza OR report"')).toEqual(['m1', 'm3']);
    expect(found('"subject:password AND from:evil"')).toEqual(['m2']);
    expect(found('"alice NOT password"')).toEqual([]);
    expect(found('"to:alice NOT subject:password"')).toEqual(['m1']);
    expect(found('"(pizza OR password) to:alice"')).toEqual(['m1', 'm2']);
    expect(found('"subject:\\"quarterly report\\""')).toEqual(['m3']);
  });
});
