/**
 * The `deniedMailboxes` setting (CONTRACT.md §5) through Microsoft's Graph SDK: an Exchange
 * application access policy that keeps the app out of some mailboxes, for single requests and
 * `$batch` items alike, while the directory and every other mailbox keep answering.
 */
import { BatchRequestContent, BatchResponseContent, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulatorTarget, type Target } from '../conformance/target.ts';

const POLICY_MESSAGE = 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.';
const enc = encodeURIComponent;

let t: Target;
let soc: string;
let bob: string;
let bobId: string;

async function failure(p: Promise<unknown>): Promise<GraphError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GraphError);
  return e as GraphError;
}

beforeAll(async () => {
  t = await startEmulatorTarget();
  soc = t.info.defaultMailbox;
  bob = `bob@${soc.split('@')[1]}`;
  await t.admin!.call('PUT', '/settings', { throttle: false });
  bobId = ((await t.admin!.call('POST', '/users', { userPrincipalName: bob, displayName: 'Bob' })).json as { id: string }).id;
});
afterAll(async () => t?.close());
beforeEach(async () => {
  await t.admin!.call('PUT', '/settings', { deniedMailboxes: [] });
  await t.admin!.call('DELETE', '/requests');
});

describe('deniedMailboxes', () => {
  it('refuses every Exchange request at a denied mailbox with ErrorAccessDenied, by UPN (any case) or id', async () => {
    await t.admin!.call('PUT', '/settings', { deniedMailboxes: [bob.toUpperCase()] });
    for (const path of [`/users/${enc(bob)}/messages`, `/users/${bobId}/mailFolders/inbox`, `/users/${enc(bob)}/mailboxSettings`]) {
      const e = await failure(t.client.api(path).get());
      expect(e.statusCode, path).toBe(403);
      expect(e.code).toBe('ErrorAccessDenied');
      expect(e.message).toBe(POLICY_MESSAGE);
      expect(e.requestId).toBeTruthy();
    }
    const send = await failure(
      t.client.api(`/users/${enc(bob)}/sendMail`).post({ message: { subject: 'x', toRecipients: [{ emailAddress: { address: soc } }] } }),
    );
    expect(send.statusCode).toBe(403);
    // The roles still hold: other mailboxes answer, and so does the directory object of the denied one.
    expect(((await t.client.api(`/users/${enc(soc)}/mailFolders/inbox`).get()) as { displayName: string }).displayName).toBe('Inbox');
    expect(((await t.client.api(`/users/${enc(bob)}`).get()) as { id: string }).id).toBe(bobId);
    const log = (await t.admin!.call('GET', '/requests')).json as { entries: Array<{ status: number; mailbox: string | null }> };
    expect(log.entries.filter((e) => e.status === 403).map((e) => e.mailbox)).toEqual([bob, bob, bob, bob]);
  });

  it('refuses the denied items of a $batch and answers the others', async () => {
    await t.admin!.call('PUT', '/settings', { deniedMailboxes: [bob] });
    const url = (p: string) => new URL(p, `${t.graphOrigin}/`).toString();
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(url(`users/${enc(soc)}/mailFolders/inbox`), { method: 'GET' }) },
      { id: '2', request: new Request(url(`users/${enc(bob)}/mailFolders/inbox/messages`), { method: 'GET' }) },
      { id: '3', request: new Request(url(`users/${enc(bob)}`), { method: 'GET' }) },
    ]);
    const responses = new BatchResponseContent((await t.client.api('/$batch').post(await batch.getContent())) as never);
    expect(responses.getResponseById('1').status).toBe(200);
    const denied = responses.getResponseById('2');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'ErrorAccessDenied', message: POLICY_MESSAGE });
    expect(responses.getResponseById('3').status).toBe(200);
  });

  it('lifts the policy when the list is emptied, and validates the setting', async () => {
    await t.admin!.call('PUT', '/settings', { deniedMailboxes: [bob] });
    expect((await failure(t.client.api(`/users/${enc(bob)}/messages`).get())).statusCode).toBe(403);
    await t.admin!.call('PUT', '/settings', { deniedMailboxes: [] });
    expect(((await t.client.api(`/users/${enc(bob)}/messages`).get()) as { value: unknown[] }).value).toEqual([]);
    for (const bad of ['bob', [bob, 3], ['']]) {
      const res = await t.admin!.call('PUT', '/settings', { deniedMailboxes: bad }, { allow: [400] });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(res.json)).toContain('deniedMailboxes');
    }
    expect(((await t.admin!.call('GET', '/settings')).json as { deniedMailboxes: string[] }).deniedMailboxes).toEqual([]);
  });
});
