import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, harness, readJson, SOC, type BatchAnswer, type Harness } from './helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ throttle: false });
});
afterAll(() => h.emu.close());

const post = (requests: unknown[]) =>
  h.json('/v1.0/$batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });

describe('$batch', () => {
  it('rejects more than 20 requests with 400', async () => {
    const r = await post(Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BadRequest');
  });

  it('answers every request, shuffled, with sub-statuses, bodies and errors', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${i % 2 ? SOC : 'nobody@contoso.example'}/mailFolders/inbox` }));
    const r = await post(requests);
    expect(r.status).toBe(200);
    const ids = r.body.responses.map((x: BatchAnswer) => x.id);
    expect([...ids].sort()).toEqual(requests.map((x) => x.id).sort());
    // 20! orders: the chance that a shuffle leaves them in order is negligible.
    expect(ids).not.toEqual(requests.map((x) => x.id));
    for (const x of r.body.responses) {
      if ((Number(x.id) - 1) % 2) expect(x).toMatchObject({ status: 200, body: { displayName: 'Inbox' } });
      else expect(x).toMatchObject({ status: 404, body: { error: { code: 'ErrorInvalidUser' } } });
    }
  });

  it('runs a fully sequential batch in order, with 424 for everything after a failure', async () => {
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=1`);
    const id = encodeURIComponent(list.body.value[0].id);
    const r = await post([
      { id: 'a', method: 'PATCH', url: `/users/${ALICE}/messages/${id}`, headers: { 'Content-Type': 'application/json' }, body: { isRead: true } },
      { id: 'b', method: 'GET', url: `/users/${ALICE}/messages/${id}?$select=isRead`, dependsOn: ['a'] },
      { id: 'c', method: 'GET', url: `/users/${ALICE}/messages/AAMkAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`, dependsOn: ['B'] },
      { id: 'd', method: 'GET', url: '/users', dependsOn: ['c'] },
    ]);
    const byId: Record<string, BatchAnswer> = Object.fromEntries(r.body.responses.map((x: BatchAnswer) => [x.id, x]));
    expect(byId.a.status).toBe(200);
    expect(byId.b).toMatchObject({ body: { isRead: true } });
    expect(byId.c.status).toBe(404);
    expect(byId.d.status).toBe(424);
  });

  it('refuses a batch that is neither fully sequential nor fully parallel, and bad dependencies', async () => {
    const get = (id: string, dependsOn?: string[]) => ({ id, method: 'GET', url: '/users', ...(dependsOn ? { dependsOn } : {}) });
    for (const requests of [
      [get('1'), get('2', ['1']), get('3')],
      [get('1'), get('2'), get('3', ['1'])],
      [get('1'), get('2', ['1']), get('3', ['1'])],
      [get('1'), get('2', ['1']), get('3', ['1', '2'])],
    ]) {
      const r = await post(requests);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe('Batch should be either fully sequential or fully parallel.');
    }
    const later = await post([get('1', ['2']), get('2')]);
    expect(later.status).toBe(400);
    expect(later.body.error.message).toMatch(/^Invalid dependency for request Id '1'/);
  });

  it('takes ids as unique ignoring case, and needs a Content-Type with a body', async () => {
    const dup = await post([{ id: 'a', method: 'GET', url: '/users' }, { id: 'A', method: 'GET', url: '/users' }]);
    expect(dup.status).toBe(400);
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=1`);
    const r = await post([{ id: '1', method: 'PATCH', url: `/users/${ALICE}/messages/${encodeURIComponent(list.body.value[0].id)}`, body: { isRead: false } }]);
    expect(r.body.responses[0].status).toBe(400);
  });

  it('each sub-request is authenticated and logged on its own', async () => {
    await h.admin('/requests', { method: 'DELETE' });
    const r = await h.json('/v1.0/$batch', {
      token: null,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/users' }] }),
    });
    expect(r.status).toBe(401);
    await post([{ id: '1', method: 'GET', url: '/users' }, { id: '2', method: 'GET', url: `/users/${SOC}` }]);
    const log = await readJson<RequestLogSnapshot>(await h.admin('/requests'));
    expect(log.entries.map((e) => e.path).sort()).toEqual(['/v1.0/$batch', '/v1.0/$batch', '/v1.0/users', `/v1.0/users/${SOC}`].sort());
  });

  it('binary sub-responses come back base64-encoded', async () => {
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=1`);
    const id = encodeURIComponent(list.body.value[0].id);
    const r = await post([{ id: '1', method: 'GET', url: `/users/${ALICE}/messages/${id}/$value` }]);
    expect(Buffer.from(r.body.responses[0].body, 'base64').toString()).toMatch(/^[\s\S]*Subject:/);
  });
});
