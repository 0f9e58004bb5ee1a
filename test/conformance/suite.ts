/**
 * The conformance cases, written once and run against any Target. Cases that need known data
 * or the admin API run only on the emulator; the read-only ones also run on a live tenant and
 * discover their data from the mailbox.
 */
import {
  BatchRequestContent,
  BatchResponseContent,
  GraphError,
  PageIterator,
  ResponseType,
  type Client,
} from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INNER_SUBJECT, PDF_BYTES, phishEml, plainEml } from './fixtures.ts';
import type { Target } from './target.ts';

/**
 * A Graph answer as Microsoft's SDK hands it over (`any`): the suite runs the same checks against
 * the emulator and real Graph on their raw JSON, so it reads them as such.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Graph JSON from Microsoft's SDK (see above)
type Json = Record<string, any>;
type Collection = { value: Json[]; '@odata.nextLink'?: string };

interface Seed {
  mailbox: string;
  phishingFolderId: string;
  bulkFolderId: string;
  bulkCount: number;
  phishId: string;
  reportId: string;
  lunchId: string;
}

const enc = encodeURIComponent;

export async function graphFailure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

async function seedEmulator(t: Target): Promise<Seed> {
  const admin = t.admin!;
  const mailbox = t.info.defaultMailbox;
  const reset = (await admin.call('POST', '/reset', { seed: 'empty' })).json as { mailboxes?: string[] };
  // Retries with real sleeps would slow the suite; throttling has its own tests.
  await admin.call('PUT', '/settings', { throttle: false });
  const existing = new Set((reset.mailboxes ?? []).map((m) => m.toLowerCase()));
  for (const [upn, displayName] of [
    [mailbox, 'SOC Mailbox'],
    [`bob@${mailbox.split('@')[1]}`, 'Bob'],
  ] as const) {
    if (!existing.has(upn.toLowerCase())) await admin.call('POST', '/users', { userPrincipalName: upn, displayName });
  }
  const folder = async (p: string) => ((await admin.call('POST', `/users/${enc(mailbox)}/folders`, { path: p })).json as { id: string }).id;
  const phishingFolderId = await folder('Inbox/Phishing');
  const bulkFolderId = await folder('Inbox/Bulk');
  const add = async (raw: Buffer, query: string) =>
    ((await admin.call('POST', `/users/${enc(mailbox)}/messages?${query}`, raw)).json as { id: string }).id;

  const phishId = await add(phishEml(mailbox), 'folder=Inbox&receivedDateTime=2024-01-02T10:00:00Z');
  const reportId = await add(
    plainEml({ from: 'Carol <carol@contoso.example>', to: mailbox, subject: 'Quarterly report', messageId: '<report-001@contoso.example>', body: 'Numbers attached for Q4.' }),
    'folder=Inbox&isRead=true&receivedDateTime=2024-01-03T12:00:00Z',
  );
  const lunchId = await add(
    plainEml({ from: 'bob@contoso.example', to: mailbox, subject: "Let's meet for lunch?", messageId: '<lunch-001@contoso.example>', body: 'Pizza at noon?' }),
    'folder=Inbox&receivedDateTime=2024-01-01T11:00:00Z',
  );
  const bulkCount = 12;
  for (let i = 1; i <= bulkCount; i++) {
    const day = String(i).padStart(2, '0');
    await add(
      plainEml({ from: 'news@vendor.example', to: mailbox, subject: `Newsletter #${i}`, messageId: `<news-${i}@vendor.example>`, body: `Issue ${i}` }),
      `folder=${enc('Inbox/Bulk')}&receivedDateTime=2024-02-${day}T08:00:00Z`,
    );
  }
  return { mailbox, phishingFolderId, bulkFolderId, bulkCount, phishId, reportId, lunchId };
}

async function iterateAll(client: Client, first: Collection): Promise<Json[]> {
  const items: Json[] = [];
  const iterator = new PageIterator(client, first as never, (item: Json) => {
    items.push(item);
    return true;
  });
  await iterator.iterate();
  return items;
}

export function defineConformanceSuite(kind: Target['kind'], setup: () => Promise<Target>): void {
  let t: Target;
  let seed: Seed | undefined;
  let mailbox: string;
  const onEmulator = it.skipIf(kind !== 'emulator');
  const users = () => `/users/${enc(mailbox)}`;

  beforeAll(async () => {
    t = await setup();
    mailbox = t.info.defaultMailbox;
    if (t.admin) seed = await seedEmulator(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('users', () => {
    it('lists users and finds the mailbox', async () => {
      const res = (await t.client.api('/users').select(['id', 'userPrincipalName', 'mail']).top(999).get()) as Collection;
      const upns = res.value.map((u) => String(u.userPrincipalName).toLowerCase());
      expect(upns).toContain(mailbox.toLowerCase());
    });

    it('gets one user by userPrincipalName', async () => {
      const user = (await t.client.api(users()).get()) as Json;
      expect(String(user.userPrincipalName).toLowerCase()).toBe(mailbox.toLowerCase());
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/i);
    });
  });

  describe('mailFolders', () => {
    it('resolves well-known folder names', async () => {
      const inbox = (await t.client.api(`${users()}/mailFolders/inbox`).get()) as Json;
      expect(inbox.displayName).toBe('Inbox');
      for (const name of ['deleteditems', 'junkemail', 'sentitems', 'drafts', 'archive']) {
        const f = (await t.client.api(`${users()}/mailFolders/${name}`).get()) as Json;
        expect(f.id, name).toBeTruthy();
      }
      // Case does not matter for well-known names.
      const again = (await t.client.api(`${users()}/mailFolders/Inbox`).get()) as Json;
      expect(again.id).toBe(inbox.id);
    });

    it('lists child folders and filters them by displayName', async () => {
      const children = (await t.client.api(`${users()}/mailFolders/inbox/childFolders`).get()) as Collection;
      expect(Array.isArray(children.value)).toBe(true);
      if (kind === 'emulator') {
        expect(children.value.map((f) => f.displayName)).toEqual(expect.arrayContaining(['Phishing', 'Bulk']));
        const filtered = (await t.client.api(`${users()}/mailFolders/inbox/childFolders`).filter("displayName eq 'Phishing'").get()) as Collection;
        expect(filtered.value.map((f) => f.id)).toEqual([seed!.phishingFolderId]);
      } else {
        const top = (await t.client.api(`${users()}/mailFolders`).filter("displayName eq 'Inbox'").get()) as Collection;
        expect(top.value.map((f) => f.displayName)).toEqual(['Inbox']);
      }
    });

    it('includeHiddenFolders returns a superset of the visible folders', async () => {
      const visible = (await t.client.api(`${users()}/mailFolders`).top(100).get()) as Collection;
      const all = (await t.client.api(`${users()}/mailFolders`).query({ includeHiddenFolders: 'true' }).top(100).get()) as Collection;
      const allIds = new Set(all.value.map((f) => f.id));
      for (const f of visible.value) expect(allIds.has(f.id)).toBe(true);
      expect(all.value.length).toBeGreaterThanOrEqual(visible.value.length);
    });

    it('pages folders with the SDK PageIterator', async () => {
      const everything = (await t.client.api(`${users()}/mailFolders`).top(100).get()) as Collection;
      const first = (await t.client.api(`${users()}/mailFolders`).top(2).get()) as Collection;
      expect(first.value.length).toBeLessThanOrEqual(2);
      if (everything.value.length > 2) expect(first['@odata.nextLink']).toBeTruthy();
      const paged = await iterateAll(t.client, first);
      expect(paged.map((f) => f.id).sort()).toEqual(everything.value.map((f) => f.id).sort());
    });
  });

  describe('messages list', () => {
    it('honours $top and returns an @odata.nextLink', async () => {
      const res = (await t.client.api(`${users()}/messages`).top(2).get()) as Collection;
      expect(res.value.length).toBeLessThanOrEqual(2);
      if (kind === 'emulator') {
        expect(res.value).toHaveLength(2);
        expect(res['@odata.nextLink']).toMatch(/^https:\/\//);
      }
    });

    onEmulator('pages a folder with PageIterator through every message exactly once', async () => {
      const first = (await t.client.api(`${users()}/mailFolders/${seed!.bulkFolderId}/messages`).top(5).select(['subject']).get()) as Collection;
      expect(first.value).toHaveLength(5);
      const all = await iterateAll(t.client, first);
      expect(all).toHaveLength(seed!.bulkCount);
      expect(new Set(all.map((m) => m.id)).size).toBe(seed!.bulkCount);
      // Default order is newest first.
      expect(all[0]!.subject).toBe(`Newsletter #${seed!.bulkCount}`);
    });

    it('projects with $select (id and @odata.etag always kept)', async () => {
      const res = (await t.client.api(`${users()}/messages`).select(['subject', 'from']).top(3).get()) as Collection;
      for (const m of res.value) {
        for (const key of Object.keys(m)) expect(['id', '@odata.etag', 'subject', 'from']).toContain(key);
        expect(m.id).toBeTruthy();
      }
    });

    it('sorts with $orderby', async () => {
      const res = (await t.client.api(`${users()}/messages`).orderby('receivedDateTime desc').select(['receivedDateTime']).top(10).get()) as Collection;
      const times = res.value.map((m) => Date.parse(m.receivedDateTime));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('filters on isRead and receivedDateTime', async () => {
      const unread = (await t.client.api(`${users()}/messages`).filter('isRead eq false').select(['isRead']).top(10).get()) as Collection;
      for (const m of unread.value) expect(m.isRead).toBe(false);
      const since = (await t.client
        .api(`${users()}/messages`)
        .filter('receivedDateTime ge 2024-01-02T00:00:00Z')
        .orderby('receivedDateTime desc')
        .select(['receivedDateTime'])
        .top(50)
        .get()) as Collection;
      for (const m of since.value) expect(Date.parse(m.receivedDateTime)).toBeGreaterThanOrEqual(Date.parse('2024-01-02T00:00:00Z'));
    });

    onEmulator('supports the $filter forms the integration uses', async () => {
      const subjects = async (filter: string) =>
        ((await t.client.api(`${users()}/mailFolders/inbox/messages`).filter(filter).select(['subject']).get()) as Collection).value
          .map((m) => m.subject as string)
          .sort();
      expect(await subjects("from/emailAddress/address eq 'HELPDESK@evil.example'")).toEqual(['Action required: password expiry']);
      expect(await subjects("subject eq 'Let''s meet for lunch?'")).toEqual(["Let's meet for lunch?"]);
      expect(await subjects("internetMessageId eq '<report-001@contoso.example>'")).toEqual(['Quarterly report']);
      expect(await subjects('hasAttachments eq true')).toEqual(['Action required: password expiry']);
      expect(await subjects('isRead eq true')).toEqual(['Quarterly report']);
      expect(await subjects("contains(subject,'REPORT')")).toEqual(['Quarterly report']);
      expect(await subjects("startswith(subject,'let')")).toEqual(["Let's meet for lunch?"]);
      expect(await subjects("ccRecipients/any(r:r/emailAddress/address eq 'bob@contoso.example')")).toEqual(['Action required: password expiry']);
      expect(await subjects('receivedDateTime ge 2024-01-02T00:00:00Z and receivedDateTime lt 2024-01-03T00:00:00Z')).toEqual([
        'Action required: password expiry',
      ]);
      expect(await subjects("importance eq 'high'")).toEqual(['Action required: password expiry']);
    });

    it('rejects $orderby properties missing from the front of $filter with InefficientFilter', async () => {
      const e = await graphFailure(
        t.client.api(`${users()}/messages`).filter("from/emailAddress/address eq 'nobody@example.com'").orderby('receivedDateTime desc').get(),
      );
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('InefficientFilter');
      expect(e.message).toBe('The restriction or sort order is too complex for this operation.');
      // The documented fix: the sort property first in the filter.
      const ok = (await t.client
        .api(`${users()}/messages`)
        .filter("receivedDateTime ge 1900-01-01T00:00:00Z and from/emailAddress/address eq 'nobody@example.com'")
        .orderby('receivedDateTime desc')
        .get()) as Collection;
      expect(Array.isArray(ok.value)).toBe(true);
    });

    onEmulator('searches with KQL $search', async () => {
      const found = async (search: string) =>
        ((await t.client.api(`${users()}/messages`).search(search).select(['subject']).get()) as Collection).value.map((m) => m.subject).sort();
      expect(await found('"password"')).toEqual(['Action required: password expiry']);
      expect(await found('"from:carol@contoso.example"')).toEqual(['Quarterly report']);
      expect(await found('"subject:lunch"')).toEqual(["Let's meet for lunch?"]);
      expect(await found('"hasAttachments:true"')).toEqual(['Action required: password expiry']);
    });

    it('refuses $search combined with $filter or $orderby', async () => {
      const withFilter = await graphFailure(t.client.api(`${users()}/messages`).search('"x"').filter('isRead eq false').get());
      expect(withFilter.statusCode).toBe(400);
      expect(withFilter.code).toBe('SearchWithFilter');
      const withOrder = await graphFailure(t.client.api(`${users()}/messages`).search('"x"').orderby('subject').get());
      expect(withOrder.statusCode).toBe(400);
      expect(withOrder.code).toBe('SearchWithOrderBy');
    });

    it('rejects a malformed $filter with 400 BadRequest', async () => {
      const e = await graphFailure(t.client.api(`${users()}/messages`).filter("subject eq 'unterminated").get());
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('BadRequest');
      expect(e.message).toMatch(/^Invalid filter clause/);
    });

    it('rejects an unknown $select property with 400', async () => {
      const e = await graphFailure(t.client.api(`${users()}/messages`).select(['subject', 'notAProperty']).get());
      expect(e.statusCode).toBe(400);
      expect(e.message).toMatch(/Could not find a property named 'notAProperty'/);
    });
  });

  describe('one message', () => {
    async function someMessageId(filter?: string): Promise<string | undefined> {
      let req = t.client.api(`${users()}/messages`).select(['id']).top(1);
      if (filter) req = req.filter(filter);
      const res = (await req.get()) as Collection;
      return res.value[0]?.id as string | undefined;
    }

    it('gets a message with its body', async () => {
      const id = seed?.phishId ?? (await someMessageId());
      if (!id) return;
      const m = (await t.client.api(`${users()}/messages/${enc(id)}`).get()) as Json;
      expect(m.id).toBe(id);
      expect(['html', 'text']).toContain(m.body.contentType);
      expect(typeof m.receivedDateTime).toBe('string');
      if (seed) {
        expect(m.subject).toBe('Action required: password expiry');
        expect(m.from).toEqual({ emailAddress: { name: 'IT Helpdesk', address: 'helpdesk@evil.example' } });
        expect(m.body.contentType).toBe('html');
        expect(m.hasAttachments).toBe(true);
        expect(m.internetMessageId).toBe('<phish-001@evil.example>');
      }
    });

    it('returns the raw MIME at $value', async () => {
      const id = seed?.phishId ?? (await someMessageId());
      if (!id) return;
      const mime = (await t.client.api(`${users()}/messages/${enc(id)}/$value`).responseType(ResponseType.TEXT).get()) as string;
      expect(mime).toMatch(/^[\s\S]*Message-ID:/i);
      if (seed) expect(mime).toContain('<phish-001@evil.example>');
    });

    onEmulator('PATCH sets isRead', async () => {
      const updated = (await t.client.api(`${users()}/messages/${enc(seed!.lunchId)}`).patch({ isRead: true })) as Json;
      expect(updated.isRead).toBe(true);
      const again = (await t.client.api(`${users()}/messages/${enc(seed!.lunchId)}`).select(['isRead']).get()) as Json;
      expect(again.isRead).toBe(true);
    });

    onEmulator('move answers 201 with a new id in the destination folder', async () => {
      const res = (await t.client
        .api(`${users()}/messages/${enc(seed!.phishId)}/move`)
        .responseType(ResponseType.RAW)
        .post({ destinationId: seed!.phishingFolderId })) as Response;
      expect(res.status).toBe(201);
      const moved = (await res.json()) as Json;
      expect(moved.id).not.toBe(seed!.phishId);
      expect(moved.parentFolderId).toBe(seed!.phishingFolderId);
      // The old id no longer resolves, as on Exchange.
      const gone = await graphFailure(t.client.api(`${users()}/messages/${enc(seed!.phishId)}`).get());
      expect(gone.statusCode).toBe(404);
      expect(gone.code).toBe('ErrorItemNotFound');
      seed!.phishId = moved.id;
    });

    onEmulator('DELETE moves the message to Deleted Items', async () => {
      const res = (await t.client.api(`${users()}/messages/${enc(seed!.reportId)}`).responseType(ResponseType.RAW).delete()) as Response;
      expect(res.status).toBe(204);
      const inInbox = (await t.client
        .api(`${users()}/mailFolders/inbox/messages`)
        .filter("internetMessageId eq '<report-001@contoso.example>'")
        .get()) as Collection;
      expect(inInbox.value).toHaveLength(0);
      const inDeleted = (await t.client
        .api(`${users()}/mailFolders/deleteditems/messages`)
        .filter("internetMessageId eq '<report-001@contoso.example>'")
        .get()) as Collection;
      expect(inDeleted.value.map((m) => m.subject)).toEqual(['Quarterly report']);
    });
  });

  describe('attachments', () => {
    async function messageWithAttachments(): Promise<string | undefined> {
      if (seed) return seed.phishId;
      const res = (await t.client.api(`${users()}/messages`).filter('hasAttachments eq true').select(['id']).top(1).get()) as Collection;
      return res.value[0]?.id as string | undefined;
    }

    it('lists attachments and reads a file attachment and its $value', async () => {
      const id = await messageWithAttachments();
      if (!id) return;
      const list = (await t.client.api(`${users()}/messages/${enc(id)}/attachments`).get()) as Collection;
      expect(list.value.length).toBeGreaterThan(0);
      for (const a of list.value) {
        expect(a['@odata.type']).toMatch(/^#microsoft\.graph\.(file|item|reference)Attachment$/);
        expect(typeof a.name).toBe('string');
        expect(typeof a.size).toBe('number');
      }
      const file = list.value.find((a) => a['@odata.type'] === '#microsoft.graph.fileAttachment' && !a.isInline) ?? list.value.find((a) => a['@odata.type'] === '#microsoft.graph.fileAttachment');
      if (!file) return;
      const one = (await t.client.api(`${users()}/messages/${enc(id)}/attachments/${enc(file.id)}`).get()) as Json;
      const bytes = Buffer.from(one.contentBytes, 'base64');
      const raw = Buffer.from((await t.client.api(`${users()}/messages/${enc(id)}/attachments/${enc(file.id)}/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
      expect(raw.equals(bytes)).toBe(true);
      if (seed) {
        expect(one.name).toBe('invoice.pdf');
        expect(one.contentType).toBe('application/pdf');
        expect(bytes.equals(PDF_BYTES)).toBe(true);
        expect(list.value.find((a) => a.name === 'logo.png')?.isInline).toBe(true);
      }
    });

    onEmulator('expands an item attachment with $expand=microsoft.graph.itemattachment/item', async () => {
      const id = seed!.phishId;
      const list = (await t.client.api(`${users()}/messages/${enc(id)}/attachments`).get()) as Collection;
      const item = list.value.find((a) => a['@odata.type'] === '#microsoft.graph.itemAttachment');
      expect(item).toBeDefined();
      const expanded = (await t.client
        .api(`${users()}/messages/${enc(id)}/attachments/${enc(item!.id)}`)
        .expand('microsoft.graph.itemattachment/item')
        .get()) as Json;
      expect(expanded.item.subject).toBe(INNER_SUBJECT);
      expect(expanded.item['@odata.type']).toBe('#microsoft.graph.message');
    });
  });

  describe('settings and presence', () => {
    it('reads automaticRepliesSetting on v1.0', async () => {
      const s = (await t.client.api(`${users()}/mailboxSettings/automaticRepliesSetting`).get()) as Json;
      expect(['disabled', 'alwaysEnabled', 'scheduled']).toContain(s.status);
      expect(['none', 'contactsOnly', 'all']).toContain(s.externalAudience);
    });

    it('reads presence on beta', async () => {
      const user = (await t.client.api(users()).select(['id']).get()) as Json;
      const p = (await t.client.api(`/users/${user.id}/presence`).version('beta').get()) as Json;
      expect(typeof p.availability).toBe('string');
      expect(typeof p.activity).toBe('string');
    });
  });

  describe('$batch', () => {
    it('runs several requests through BatchRequestContent', async () => {
      // BatchRequestContent keeps everything after the host, so the URL must not carry the version.
      const url = (p: string) => new URL(p, `${t.graphOrigin}/`).toString();
      const batch = new BatchRequestContent([
        { id: '1', request: new Request(url(`users/${enc(mailbox)}`), { method: 'GET' }) },
        { id: '2', request: new Request(url(`users/${enc(mailbox)}/mailFolders/inbox`), { method: 'GET' }) },
        { id: '3', request: new Request(url(`users/${enc(mailbox)}/messages/not-an-id`), { method: 'GET' }) },
      ]);
      const raw = (await t.client.api('/$batch').post(await batch.getContent())) as Json;
      const responses = new BatchResponseContent(raw as never);
      const r1 = responses.getResponseById('1');
      const r2 = responses.getResponseById('2');
      const r3 = responses.getResponseById('3');
      expect(r1.status).toBe(200);
      expect(String(((await r1.json()) as Json).userPrincipalName).toLowerCase()).toBe(mailbox.toLowerCase());
      expect(r2.status).toBe(200);
      expect(((await r2.json()) as Json).displayName).toBe('Inbox');
      expect(r3.status).toBe(400);
      expect(((await r3.json()) as Json).error.code).toBe('ErrorInvalidIdMalformed');
    });
  });

  describe('errors', () => {
    onEmulator('ErrorItemNotFound for a well-formed unknown id', async () => {
      const e = await graphFailure(t.client.api(`${users()}/messages/AAMk${'A'.repeat(60)}AAA=`).get());
      expect(e.statusCode).toBe(404);
      expect(e.code).toBe('ErrorItemNotFound');
      expect(e.requestId).toBeTruthy();
    });

    it('ErrorInvalidIdMalformed for a malformed id', async () => {
      const e = await graphFailure(t.client.api(`${users()}/messages/not-an-id`).get());
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('ErrorInvalidIdMalformed');
    });

    it('404 for an unknown mailbox', async () => {
      const domain = mailbox.split('@')[1];
      const e = await graphFailure(t.client.api(`/users/${enc(`no-such-user-4711@${domain}`)}/messages`).get());
      expect(e.statusCode).toBe(404);
      expect(['ErrorInvalidUser', 'ResourceNotFound', 'MailboxNotEnabledForRESTAPI', 'Request_ResourceNotFound']).toContain(e.code);
    });

    it('401 InvalidAuthenticationToken for a bad token', async () => {
      const bad = t.clientWith({ getAccessToken: async () => 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2lnbmF0dXJl' });
      const e = await graphFailure(bad.api(`${users()}/messages`).get());
      expect(e.statusCode).toBe(401);
      expect(e.code).toBe('InvalidAuthenticationToken');
    });

    onEmulator('strict 400 for a query option the route does not support', async () => {
      const e = await graphFailure(t.client.api(`${users()}/mailFolders/inbox`).query({ $orderby: 'displayName' }).get());
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('BadRequest');
    });

    onEmulator('ErrorAccessDenied when the app lacks Mail permissions', async () => {
      const before = (await t.admin!.call('GET', '/settings')).json as { permissions: string[] };
      await t.admin!.call('PUT', '/settings', { permissions: ['User.Read.All'] });
      t.forgetToken();
      try {
        const e = await graphFailure(t.client.api(`${users()}/messages`).get());
        expect(e.statusCode).toBe(403);
        expect(e.code).toBe('ErrorAccessDenied');
        // Roles the app still has keep working.
        const user = (await t.client.api(users()).get()) as Json;
        expect(user.id).toBeTruthy();
      } finally {
        await t.admin!.call('PUT', '/settings', { permissions: before.permissions });
        t.forgetToken();
      }
      const ok = (await t.client.api(`${users()}/messages`).top(1).get()) as Collection;
      expect(ok.value).toHaveLength(1);
    });
  });
}
