/**
 * Message delta (message-delta.md, delta-query-messages.md): rounds over one folder with plain
 * fetch on a fresh store, and one round through Microsoft's SDK.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Agent } from 'undici';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { closeHttpsEmulator, startHttpsEmulator } from '../helpers/https-emulator.ts';
import { harness, u, type BatchAnswer, type Harness } from './helpers.ts';

const BOX = 'delta.owner@contoso.example';
const OTHER = 'delta.other@contoso.example';
const mailbox = `/v1.0/users/${u(BOX)}`;
const JSON_HEADERS = { 'content-type': 'application/json' };
let h: Harness;
let n = 0;

interface Item {
  id: string;
  subject?: string;
  isRead?: boolean;
  receivedDateTime?: string;
  '@removed'?: { reason: string };
  [k: string]: unknown;
}
interface DeltaPage {
  value: Item[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

beforeAll(async () => {
  h = await harness({ seed: 'empty', throttle: false });
});
afterAll(() => h.emu.close());
beforeEach(async () => {
  await h.admin('/reset', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ seed: 'empty' }) });
  await h.admin('/settings', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ permissions: [...DEFAULT_PERMISSIONS], throttle: false }) });
  for (const upn of [BOX, OTHER]) {
    const r = await h.admin('/users', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ userPrincipalName: upn }) });
    expect(r.status).toBe(201);
  }
});

async function deliver(folder: string, received: string, box = BOX): Promise<{ id: string }> {
  n += 1;
  const raw = ['From: Mallory <mallory@evil.example>', `To: ${box}`, `Subject: msg ${n}`, `Message-ID: <delta-${n}@evil.example>`, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'Hello.', ''].join('\r\n');
  const r = await h.admin(`/users/${u(box)}/messages?folder=${u(folder)}&receivedDateTime=${u(received)}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<DeltaPage> {
  const r = await h.json<DeltaPage>(url, { headers });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** A whole round from `url`: every page's items, the pages, and the deltaLink at its end. */
async function round(url: string, headers: Record<string, string> = {}): Promise<{ items: Item[]; pages: number; deltaLink: string }> {
  const items: Item[] = [];
  let pages = 0;
  let next = url;
  for (;;) {
    const page = await get(next, headers);
    pages += 1;
    items.push(...page.value);
    if (page['@odata.deltaLink']) return { items, pages, deltaLink: page['@odata.deltaLink'] };
    const link = page['@odata.nextLink'];
    if (link === undefined) throw new Error('a delta page with neither a nextLink nor a deltaLink');
    expect(link).toMatch(/\$skiptoken=/);
    next = link;
  }
}

const move = (id: string, destinationId: string) =>
  h.json(`${mailbox}/messages/${u(id)}/move`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ destinationId }) });

describe('message delta', () => {
  it('first round: every message of the folder, paged by odata.maxpagesize, then a deltaLink; default page is 10', async () => {
    for (let i = 0; i < 5; i += 1) await deliver('Inbox', `2024-07-0${i + 1}T10:00:00Z`);
    await deliver('Junk Email', '2024-07-01T10:00:00Z');
    const first = await get(`${mailbox}/mailFolders/inbox/messages/delta`, { prefer: 'odata.maxpagesize=2' });
    expect(first.value).toHaveLength(2);
    expect(first['@odata.deltaLink']).toBeUndefined();
    expect(first.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.message' });
    const all = await round(`${mailbox}/mailFolders/inbox/messages/delta`, { prefer: 'odata.maxpagesize=2' });
    expect(all.pages).toBe(3);
    expect(new Set(all.items.map((m) => m.id)).size).toBe(5);
    expect(all.deltaLink).toMatch(/\/messages\/delta\?\$deltatoken=/);
    // No change since: the next round is empty.
    expect((await round(all.deltaLink)).items).toEqual([]);
    for (let i = 0; i < 7; i += 1) await deliver('Inbox', '2024-08-01T10:00:00Z');
    const page = await get(`${mailbox}/mailFolders/inbox/messages/delta`);
    expect(page.value).toHaveLength(10);
    expect(page['@odata.nextLink']).toBeDefined();
  });

  it('a later round: the new, the changed, the deleted and moved out as @removed, the moved in with its old date', async () => {
    const [keep, read, gone, out] = [
      await deliver('Inbox', '2024-07-01T10:00:00Z'),
      await deliver('Inbox', '2024-07-02T10:00:00Z'),
      await deliver('Inbox', '2024-07-03T10:00:00Z'),
      await deliver('Inbox', '2024-07-04T10:00:00Z'),
    ];
    const junk = await deliver('Junk Email', '2023-01-15T08:00:00Z');
    const first = await round(`${mailbox}/mailFolders/inbox/messages/delta`);
    expect(first.items.map((m) => m.id).sort()).toEqual([keep.id, read.id, gone.id, out.id].sort());

    const fresh = await deliver('Inbox', '2024-07-05T10:00:00Z');
    expect((await h.json(`${mailbox}/messages/${u(read.id)}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ isRead: true }) })).status).toBe(200);
    expect((await h.graph(`${mailbox}/messages/${u(gone.id)}`, { method: 'DELETE' })).status).toBe(204);
    const archive = (await h.json(`${mailbox}/mailFolders/archive`)).body.id as string;
    expect((await move(out.id, archive)).status).toBe(201);
    const movedIn = await move(junk.id, 'inbox');
    expect(movedIn.status).toBe(201);
    const movedInId = movedIn.body.id as string;

    const second = await round(first.deltaLink, { prefer: 'odata.maxpagesize=2' });
    expect(second.pages).toBe(3);
    const byId = new Map(second.items.map((m) => [m.id, m]));
    expect(byId.size).toBe(5);
    expect(byId.get(fresh.id)).toMatchObject({ subject: expect.stringMatching(/^msg/), isRead: false });
    expect(byId.get(read.id)).toMatchObject({ isRead: true });
    expect(byId.get(gone.id)).toEqual({ '@odata.type': '#microsoft.graph.message', id: gone.id, '@removed': { reason: 'deleted' } });
    expect(byId.get(out.id)).toEqual({ '@odata.type': '#microsoft.graph.message', id: out.id, '@removed': { reason: 'deleted' } });
    expect(byId.get(movedInId)).toMatchObject({ receivedDateTime: '2023-01-15T08:00:00Z' });
    expect(byId.has(keep.id)).toBe(false);
    // Junk Email's own round sees its message leave.
    const junkRound = await round(`${mailbox}/mailFolders/junkemail/messages/delta`);
    expect(junkRound.items).toEqual([]);
    // And the round after is empty again.
    expect((await round(second.deltaLink)).items).toEqual([]);
  });

  it('keeps $filter and $select across pages and rounds; a message moved in below the window stays out', async () => {
    await deliver('Inbox', '2024-06-01T10:00:00Z');
    const inWindow = await deliver('Inbox', '2024-07-01T10:00:00Z');
    await deliver('Inbox', '2024-07-02T10:00:00Z');
    const q = `$filter=${u('receivedDateTime ge 2024-07-01T00:00:00Z')}&$select=subject,isRead`;
    const first = await round(`${mailbox}/mailFolders/inbox/messages/delta?${q}`, { prefer: 'odata.maxpagesize=1' });
    expect(first.pages).toBe(2);
    expect(first.items).toHaveLength(2);
    for (const m of first.items) expect(Object.keys(m).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'isRead', 'subject']);
    const late = await deliver('Inbox', '2024-07-10T10:00:00Z');
    await deliver('Inbox', '2024-05-01T10:00:00Z');
    const old = await deliver('Junk Email', '2024-07-05T10:00:00Z');
    const movedIn = (await move(old.id, 'inbox')).body.id as string;
    await h.json(`${mailbox}/messages/${u(inWindow.id)}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ categories: ['Phish'] }) });
    const second = await round(first.deltaLink);
    expect(second.items.map((m) => m.id).sort()).toEqual([late.id, movedIn, inWindow.id].sort());
    for (const m of second.items) expect(m.receivedDateTime).toBeUndefined();
    // Options ride in the token: repeating one next to it is refused.
    expect((await h.json(`${second.deltaLink}&$select=subject`)).status).toBe(400);
  });

  it('Prefer: IdType="ImmutableId": immutable ids in items and in @removed, through a move out and back', async () => {
    const a = await deliver('Inbox', '2024-07-01T10:00:00Z');
    const b = await deliver('Inbox', '2024-07-02T10:00:00Z');
    const prefer = { prefer: 'IdType="ImmutableId", odata.maxpagesize=5' };
    const r = await h.json<DeltaPage>(`${mailbox}/mailFolders/inbox/messages/delta`, { headers: prefer });
    expect(r.res.headers.get('preference-applied')).toBe('IdType="ImmutableId"');
    const immutable = new Map<string, string>();
    for (const id of [a.id, b.id]) immutable.set(id, (await h.json(`${mailbox}/messages/${u(id)}?$select=id`, { headers: prefer })).body.id as string);
    expect(r.body.value.map((m) => m.id).sort()).toEqual([...immutable.values()].sort());
    const archive = (await h.json(`${mailbox}/mailFolders/archive`)).body.id as string;
    const movedA = (await move(a.id, archive)).body.id as string;
    expect((await move(movedA, 'inbox')).status).toBe(201);
    await h.graph(`${mailbox}/messages/${u(b.id)}`, { method: 'DELETE' });
    const next = await round(r.body['@odata.deltaLink'] as string, prefer);
    expect(next.items).toHaveLength(2);
    expect(next.items.find((m) => m.id === immutable.get(a.id))).toMatchObject({ subject: expect.any(String) });
    expect(next.items.find((m) => m.id === immutable.get(b.id))).toMatchObject({ '@removed': { reason: 'deleted' } });
  });

  it('refuses bad, foreign and stale tokens with 410, unsupported $filter and $orderby with 400, and works in $batch', async () => {
    await deliver('Inbox', '2024-07-01T10:00:00Z');
    await deliver('Inbox', '2024-07-01T10:00:00Z', OTHER);
    const { deltaLink } = await round(`${mailbox}/mailFolders/inbox/messages/delta`);
    const token = new URL(deltaLink).searchParams.get('$deltatoken') ?? '';
    const bad = await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$deltatoken=garbage`);
    expect(bad.status).toBe(410);
    expect(bad.body.error.code).toBe('SyncStateInvalid');
    expect(bad.res.headers.get('location')).toMatch(/\/mailFolders\/inbox\/messages\/delta$/);
    const tampered = await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$deltatoken=${u(`x${token}`)}`);
    expect(tampered.status).toBe(410);
    const otherFolder = await h.json(`${mailbox}/mailFolders/junkemail/messages/delta?$deltatoken=${u(token)}`);
    expect(otherFolder).toMatchObject({ status: 410, body: { error: { code: 'SyncStateInvalid' } } });
    const otherBox = await h.json(`/v1.0/users/${u(OTHER)}/mailFolders/inbox/messages/delta?$deltatoken=${u(token)}`);
    expect(otherBox.status).toBe(410);
    const asSkip = await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$skiptoken=${u(token)}`);
    expect(asSkip.status).toBe(410);

    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$orderby=${u('subject asc')}`)).status).toBe(400);
    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$orderby=${u('receivedDateTime desc')}`)).status).toBe(200);
    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$filter=${u("subject eq 'x'")}`)).status).toBe(400);
    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$filter=${u('receivedDateTime lt 2024-01-01T00:00:00Z')}`)).status).toBe(400);
    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$search=x`)).status).toBe(400);

    const batch = await h.json<{ responses: BatchAnswer[] }>('/v1.0/$batch', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/users/${u(BOX)}/mailFolders/inbox/messages/delta`, headers: { prefer: 'odata.maxpagesize=1' } }] }),
    });
    expect(batch.status).toBe(200);
    const answer = batch.body.responses[0];
    expect(answer.status).toBe(200);
    expect((answer.body as DeltaPage).value).toHaveLength(1);

    // A reset makes every older token stale.
    await h.admin('/reset', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ seed: 'empty' }) });
    await h.admin('/settings', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ permissions: [...DEFAULT_PERMISSIONS], throttle: false }) });
    await h.admin('/users', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ userPrincipalName: BOX }) });
    const stale = await h.json(`${mailbox}/mailFolders/inbox/messages/delta?$deltatoken=${u(token)}`);
    expect(stale.status).toBe(410);
  });

  it('a change made while a round is paged is reported by the next round, not lost', async () => {
    const ms: Array<{ id: string }> = [];
    for (let i = 0; i < 4; i += 1) ms.push(await deliver('Inbox', `2024-07-0${i + 1}T10:00:00Z`));
    const headers = { prefer: 'odata.maxpagesize=2' };
    const p1 = await get(`${mailbox}/mailFolders/inbox/messages/delta`, headers);
    const served = new Set(p1.value.map((m) => m.id));
    const unserved = ms.find((m) => !served.has(m.id));
    const servedOne = ms.find((m) => served.has(m.id));
    if (!unserved || !servedOne) throw new Error('paging');
    await h.json(`${mailbox}/messages/${u(unserved.id)}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ isRead: true }) });
    await h.graph(`${mailbox}/messages/${u(servedOne.id)}`, { method: 'DELETE' });
    const rest = await round(p1['@odata.nextLink'] as string, headers);
    const next = await round(rest.deltaLink);
    expect(next.items.find((m) => m.id === unserved.id)).toMatchObject({ isRead: true });
    expect(next.items.find((m) => m.id === servedOne.id)).toMatchObject({ '@removed': { reason: 'deleted' } });
  });

  it('changeType=created keeps only arrivals in later rounds; the first round is the whole folder', async () => {
    const a = await deliver('Inbox', '2024-07-01T10:00:00Z');
    const b = await deliver('Inbox', '2024-07-02T10:00:00Z');
    const first = await round(`${mailbox}/mailFolders/inbox/messages/delta?changeType=created`);
    expect(first.items).toHaveLength(2);
    const c = await deliver('Inbox', '2024-07-03T10:00:00Z');
    await h.json(`${mailbox}/messages/${u(a.id)}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ isRead: true }) });
    await h.graph(`${mailbox}/messages/${u(b.id)}`, { method: 'DELETE' });
    const second = await round(first.deltaLink);
    expect(second.items.map((m) => m.id)).toEqual([c.id]);
    expect((await h.json(`${mailbox}/mailFolders/inbox/messages/delta?changeType=moved`)).status).toBe(400);
  });

  it('orders by receivedDateTime desc when asked, across pages', async () => {
    for (const d of ['2024-07-03', '2024-07-01', '2024-07-04', '2024-07-02']) await deliver('Inbox', `${d}T10:00:00Z`);
    const all = await round(`${mailbox}/mailFolders/inbox/messages/delta?$orderby=${u('receivedDateTime desc')}&$select=receivedDateTime`, { prefer: 'odata.maxpagesize=3' });
    expect(all.items.map((m) => m.receivedDateTime)).toEqual(['2024-07-04T10:00:00Z', '2024-07-03T10:00:00Z', '2024-07-02T10:00:00Z', '2024-07-01T10:00:00Z']);
  });
});

describe('message delta through Microsoft\'s SDK', () => {
  let emu: RunningEmulator;
  let graph: GraphClient;
  let sdk: Client;
  let dispatcher: Agent;
  beforeAll(async () => {
    ({ emu, graph, sdk, dispatcher } = await startHttpsEmulator());
  });
  afterAll(async () => closeHttpsEmulator({ emu, graph, sdk, dispatcher }));

  it('follows nextLinks to a deltaLink, and the deltaLink answers', async () => {
    const SOC = 'soc@contoso.example';
    let page = (await sdk.api(`/users/${SOC}/mailFolders/inbox/messages/delta`).header('Prefer', 'odata.maxpagesize=2').select('subject').get()) as DeltaPage;
    let count = page.value.length;
    while (page['@odata.nextLink']) {
      page = (await sdk.api(page['@odata.nextLink']).header('Prefer', 'odata.maxpagesize=2').get()) as DeltaPage;
      count += page.value.length;
    }
    const listed = (await sdk.api(`/users/${SOC}/mailFolders/inbox`).get()) as { totalItemCount: number };
    expect(count).toBe(listed.totalItemCount);
    expect(page['@odata.deltaLink']).toBeDefined();
    const again = (await sdk.api(page['@odata.deltaLink'] as string).get()) as DeltaPage;
    expect(again.value).toEqual([]);
  });
});
