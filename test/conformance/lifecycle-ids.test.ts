/**
 * Microsoft's Graph SDK against the emulator: the deletion lifecycle (DELETE, Recoverable
 * Items, permanentDelete), `Prefer: IdType="ImmutableId"` on single requests and `$batch`
 * items, and translateExchangeIds.
 */
import { BatchRequestContent, BatchResponseContent, ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainEml } from './fixtures.ts';
import { graphFailure } from './suite.ts';
import { startEmulatorTarget, type Target } from './target.ts';

/**
 * A Graph answer as Microsoft's SDK hands it over (`any`): the suite runs the same checks against
 * the emulator and real Graph on their raw JSON, so it reads them as such.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Graph JSON from Microsoft's SDK (see above)
type Json = Record<string, any>;
const enc = encodeURIComponent;
const PREFER = 'IdType="ImmutableId"';

describe('Graph SDK: deletion lifecycle and immutable ids on the emulator', () => {
  let t: Target;
  let box: string;
  let n = 0;
  const users = () => `/users/${enc(box)}`;

  beforeAll(async () => {
    t = await startEmulatorTarget();
    box = t.info.defaultMailbox;
    const reset = (await t.admin!.call('POST', '/reset', { seed: 'empty' })).json as { mailboxes?: string[] };
    await t.admin!.call('PUT', '/settings', { throttle: false });
    if (!(reset.mailboxes ?? []).some((m) => m.toLowerCase() === box.toLowerCase())) {
      await t.admin!.call('POST', '/users', { userPrincipalName: box, displayName: 'SOC Mailbox' });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  async function deliver(folder = 'Inbox'): Promise<{ id: string; internetMessageId: string }> {
    n += 1;
    const raw = plainEml({ from: 'mallory@evil.example', to: box, subject: `sdk ${n}`, messageId: `<sdk-lifecycle-${n}@evil.example>`, body: 'Click.' });
    return (await t.admin!.call('POST', `/users/${enc(box)}/messages?folder=${enc(folder)}`, raw)).json as { id: string; internetMessageId: string };
  }
  const where = async (internetMessageId: string) =>
    ((await t.admin!.call('GET', `/messages?internetMessageId=${enc(internetMessageId)}`)).json as { byFolder: Record<string, number> }).byFolder;

  it('DELETE twice: Deleted Items, then Recoverable Items (listed there); a third DELETE is 403 ErrorCannotDeleteObject', async () => {
    const m = await deliver();
    await t.client.api(`${users()}/messages/${enc(m.id)}`).delete();
    expect(await where(m.internetMessageId)).toEqual({ deleteditems: 1 });
    const inDeleted = (await t.client.api(`${users()}/mailFolders/deleteditems/messages`).select(['id']).get()) as { value: Json[] };
    await t.client.api(`${users()}/messages/${enc(inDeleted.value[0].id)}`).delete();
    const soft = (await t.client.api(`${users()}/mailFolders/recoverableitemsdeletions/messages`).select(['id', 'subject']).get()) as { value: Json[] };
    expect(soft.value.map((x) => x.subject)).toEqual([`sdk ${n}`]);
    const e = await graphFailure(t.client.api(`${users()}/messages/${enc(soft.value[0].id)}`).delete());
    expect(e.statusCode).toBe(403);
    expect(e.code).toBe('ErrorCannotDeleteObject');
    expect(await where(m.internetMessageId)).toEqual({ recoverableitemsdeletions: 1 });
  });

  it('permanentDelete answers 204 and the message is out of Graph\'s reach', async () => {
    const m = await deliver();
    const raw = (await t.client.api(`${users()}/messages/${enc(m.id)}/permanentDelete`).responseType(ResponseType.RAW).post(undefined)) as Response;
    expect(raw.status).toBe(204);
    const e = await graphFailure(t.client.api(`${users()}/messages/${enc(m.id)}`).get());
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe('ErrorItemNotFound');
    expect(await where(m.internetMessageId)).toEqual({ recoverableitemspurges: 1 });
  });

  it('move to recoverableitemsdeletions soft-deletes in one request', async () => {
    const m = await deliver();
    const moved = (await t.client.api(`${users()}/messages/${enc(m.id)}/move`).post({ destinationId: 'recoverableitemsdeletions' })) as Json;
    expect(moved.id).not.toBe(m.id);
    expect(await where(m.internetMessageId)).toEqual({ recoverableitemsdeletions: 1 });
  });

  it('Prefer: IdType="ImmutableId" gives immutable ids that survive a move, with Preference-Applied', async () => {
    const m = await deliver();
    const raw = (await t.client.api(`${users()}/messages/${enc(m.id)}`).header('Prefer', PREFER).select(['id', 'parentFolderId']).responseType(ResponseType.RAW).get()) as Response;
    expect(raw.headers.get('Preference-Applied')).toBe('IdType="ImmutableId"');
    const first = (await raw.json()) as Json;
    expect(first.id).toMatch(/^AAkA/);
    const moved = (await t.client.api(`${users()}/messages/${enc(first.id)}/move`).header('Prefer', PREFER).post({ destinationId: 'archive' })) as Json;
    expect(moved.id).toBe(first.id);
    expect(moved.parentFolderId).not.toBe(first.parentFolderId);
    const rest = (await t.client.api(`${users()}/messages/${enc(first.id)}`).select(['id']).get()) as Json;
    expect(rest.id).toMatch(/^AAMk/);
    expect(rest.id).not.toBe(m.id);
    const e = await graphFailure(t.client.api(`${users()}/messages/${enc(m.id)}`).get());
    expect(e.statusCode).toBe(404);
  });

  it('BatchRequestContent items carry their own Prefer header', async () => {
    const m = await deliver();
    // BatchRequestContent keeps everything after the host, so the URL must not carry the version.
    const url = `${t.graphOrigin}${users()}/messages/${enc(m.id)}?$select=id`;
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(url, { method: 'GET', headers: { Prefer: PREFER } }) },
      { id: '2', request: new Request(url, { method: 'GET' }) },
    ]);
    const responses = new BatchResponseContent((await t.client.api('/$batch').post(await batch.getContent())) as never);
    const immutable = responses.getResponseById('1');
    const rest = responses.getResponseById('2');
    expect([immutable.status, rest.status]).toEqual([200, 200]);
    expect(rest.headers.get('Preference-Applied')).toBeNull();
    expect(immutable.headers.get('Preference-Applied')).toBe('IdType="ImmutableId"');
    expect(((await immutable.json()) as Json).id).toMatch(/^AAkA/);
    expect(((await rest.json()) as Json).id).toBe(m.id);
  });

  it('translateExchangeIds converts restId to restImmutableEntryId and back', async () => {
    const m = await deliver();
    const immutable = ((await t.client.api(`${users()}/messages/${enc(m.id)}`).header('Prefer', PREFER).select(['id']).get()) as Json).id;
    const r = (await t.client.api(`${users()}/translateExchangeIds`).post({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'restImmutableEntryId' })) as Json;
    expect(r.value).toEqual([{ sourceId: m.id, targetId: immutable }]);
    const back = (await t.client.api(`${users()}/translateExchangeIds`).post({ inputIds: [immutable], sourceIdType: 'restImmutableEntryId', targetIdType: 'restId' })) as Json;
    expect(back.value).toEqual([{ sourceId: immutable, targetId: m.id }]);
    const e = await graphFailure(t.client.api(`${users()}/translateExchangeIds`).post({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'nope' }));
    expect(e.statusCode).toBe(400);
  });
});
