/**
 * Mailbox aliases (Graph's `proxyAddresses`): created through the admin API, read and filtered
 * as the directory serves them (user.md: "Returned only on `$select`"; `any` with `eq` works
 * without advanced query parameters), never resolving `/users/{x}`, and routing mail to the
 * mailbox as Exchange does (the auto-reply answers mail that came in by an alias too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, User } from '@microsoft/microsoft-graph-types';
import { harness, SOC, u, type Collection, type ErrorAnswer, type Harness } from './helpers.ts';

const DANA = 'dana@contoso.example';
const ALIAS = 'soc-lead@contoso.example';
const OTHER_DOMAIN_ALIAS = 'lead@fabrikam.example';
const DUPLICATE = 'Another object with the same value for property proxyAddresses already exists.';

let h: Harness;
beforeAll(async () => {
  h = await harness({ port: 0, seed: 'empty' });
});
afterAll(() => h.emu.close());

const adminJson = async (path: string, init?: RequestInit) => {
  const res = await h.admin(path, { headers: { 'content-type': 'application/json' }, ...init });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const addUser = (body: unknown) => adminJson('/users', { method: 'POST', body: JSON.stringify(body) });
const post = (path: string, body: unknown) => h.json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sendMail = (from: string, subject: string, to: string[]) =>
  post(`/v1.0/users/${from}/sendMail`, { message: { subject, body: { contentType: 'Text', content: subject }, toRecipients: to.map((address) => ({ emailAddress: { address } })) } });
const users = (query: string) => h.json<Collection<User>>(`/v1.0/users?${query}`);

async function inbox(user: string, subject: string): Promise<Message[]> {
  const q = new URLSearchParams({ $filter: `subject eq '${subject}'`, $select: 'subject,from,toRecipients,internetMessageId,internetMessageHeaders' });
  const r = await h.json<Collection<Message>>(`/v1.0/users/${u(user)}/mailFolders/inbox/messages?${q}`);
  expect(r.status).toBe(200);
  return r.body.value;
}

describe('proxyAddresses', () => {
  beforeAll(async () => {
    const created = await addUser({ userPrincipalName: DANA, displayName: 'Dana Lee', proxyAddresses: [ALIAS, 'SMTP:dana@contoso.example', `smtp:${OTHER_DOMAIN_ALIAS}`, 'X500:/o=Contoso/cn=dana'] });
    expect(created.status).toBe(201);
    // A bare address is an smtp alias; the UPN stays the one primary SMTP address, listed once.
    expect(created.body.proxyAddresses).toEqual([`SMTP:${DANA}`, `smtp:${ALIAS}`, `smtp:${OTHER_DOMAIN_ALIAS}`, 'X500:/o=Contoso/cn=dana']);
  });

  it('are not in the default property set, only on $select (user.md)', async () => {
    const plain = await h.json<User>(`/v1.0/users/${DANA}`);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('proxyAddresses');
    const selected = await h.json<User>(`/v1.0/users/${DANA}?$select=displayName,proxyAddresses`);
    expect(selected.body).toMatchObject({ displayName: 'Dana Lee', proxyAddresses: [`SMTP:${DANA}`, `smtp:${ALIAS}`, `smtp:${OTHER_DOMAIN_ALIAS}`, 'X500:/o=Contoso/cn=dana'] });
    const listed = await users('$select=userPrincipalName,proxyAddresses');
    expect(listed.body.value).toContainEqual(expect.objectContaining({ userPrincipalName: SOC, proxyAddresses: [`SMTP:${SOC}`] }));
    expect((await users('')).body.value.every((x) => !('proxyAddresses' in x))).toBe(true);
  });

  it('$filter=proxyAddresses/any(x:x eq ...) finds the owner, ignoring case, without ConsistencyLevel', async () => {
    const upns = async (filter: string) => {
      const r = await users(`$filter=${u(filter)}`);
      expect(r.status).toBe(200);
      return r.body.value.map((x) => x.userPrincipalName);
    };
    expect(await upns(`proxyAddresses/any(x:x eq 'smtp:${ALIAS}')`)).toEqual([DANA]);
    expect(await upns(`proxyAddresses/any(x:x eq 'SMTP:Soc-Lead@CONTOSO.example')`)).toEqual([DANA]);
    expect(await upns(`proxyAddresses/any(p:startswith(p, 'smtp:soc-lead@'))`)).toEqual([DANA]);
    expect(await upns(`proxyAddresses/any(x:x eq 'smtp:nobody@contoso.example')`)).toEqual([]);
    // The bare address is not a proxy address: the type prefix is part of the value.
    expect(await upns(`proxyAddresses/any(x:x eq '${ALIAS}')`)).toEqual([]);
  });

  it('GET /users/{alias} (and a mail route under it) is a 404: only the id or the userPrincipalName resolves', async () => {
    const r = await h.json<ErrorAnswer>(`/v1.0/users/${ALIAS}`);
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'Request_ResourceNotFound', message: `Resource '${ALIAS}' does not exist or one of its queried reference-property objects are not present.` });
    const mail = await h.json<ErrorAnswer>(`/v1.0/users/${ALIAS}/mailFolders/inbox/messages`);
    expect(mail.status).toBe(404);
    expect(mail.body.error.code).toBe('ErrorInvalidUser');
  });

  it('an address another user holds is refused (400), whether alias or UPN, and nothing is created', async () => {
    const again = await addUser({ userPrincipalName: 'eve@contoso.example', proxyAddresses: ['SOC-LEAD@contoso.example'] });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'Request_BadRequest', message: DUPLICATE });
    const upnTaken = await addUser({ userPrincipalName: ALIAS });
    expect(upnTaken.status).toBe(400);
    expect(upnTaken.body.error.message).toBe(DUPLICATE);
    const primaryTaken = await addUser({ userPrincipalName: 'frank@contoso.example', proxyAddresses: [`smtp:${SOC}`] });
    expect(primaryTaken.body.error.message).toBe(DUPLICATE);
    expect((await users(`$filter=${u("startswith(userPrincipalName, 'eve') or startswith(userPrincipalName, 'frank') or userPrincipalName eq 'soc-lead@contoso.example'")}`)).body.value).toEqual([]);
  });

  it('malformed proxyAddresses are a 400', async () => {
    for (const proxyAddresses of ['x@contoso.example', ['not an address'], ['smtp:'], [42], ['SMTP:other@contoso.example']]) {
      const r = await addUser({ userPrincipalName: 'gina@contoso.example', proxyAddresses });
      expect(r.status, JSON.stringify(proxyAddresses)).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
    }
  });

  it('mail to an alias lands in the owner\'s Inbox, its To as addressed; one copy for two of its addresses', async () => {
    expect((await sendMail(SOC, 'By alias', ['Soc-Lead@Contoso.example'])).status).toBe(202);
    const [got] = await inbox(DANA, 'By alias');
    expect(got.toRecipients?.map((r) => r.emailAddress?.address)).toEqual(['Soc-Lead@Contoso.example']);
    expect(got.from?.emailAddress?.address).toBe(SOC);
    expect(await inbox(SOC, 'Undeliverable: By alias')).toEqual([]);

    await sendMail(SOC, 'Both addresses', [DANA, ALIAS]);
    expect(await inbox(DANA, 'Both addresses')).toHaveLength(1);
  });

  it('an alias in a domain of its own makes that domain accepted: the alias delivers, an unknown address there bounces', async () => {
    await h.admin('/outbound', { method: 'DELETE' });
    await sendMail(SOC, 'Other domain', [OTHER_DOMAIN_ALIAS, 'nobody@fabrikam.example']);
    expect((await inbox(DANA, 'Other domain'))[0].toRecipients?.map((r) => r.emailAddress?.address)).toEqual([OTHER_DOMAIN_ALIAS, 'nobody@fabrikam.example']);
    expect(await inbox(SOC, 'Undeliverable: Other domain')).toHaveLength(1);
    expect((await adminJson('/outbound')).body).toEqual({ messages: [] });
  });

  it('the auto-reply answers mail that came in by an alias, from the primary address, in the thread', async () => {
    expect((await adminJson(`/users/${DANA}/auto-reply`, { method: 'POST', body: JSON.stringify({ body: 'Approve' }) })).status).toBe(200);
    await sendMail(SOC, 'Approve the purge?', [ALIAS]);
    const [sent] = await h.json<Collection<Message>>(`/v1.0/users/${SOC}/mailFolders/sentitems/messages?$filter=${u("subject eq 'Approve the purge?'")}&$select=internetMessageId`).then((r) => r.body.value);
    const [answer] = await inbox(SOC, 'RE: Approve the purge?');
    expect(answer.from?.emailAddress?.address).toBe(DANA);
    expect(answer.internetMessageHeaders?.find((x) => x.name?.toLowerCase() === 'in-reply-to')?.value).toBe(sent.internetMessageId);
    await adminJson(`/users/${DANA}/auto-reply`, { method: 'POST', body: JSON.stringify({ body: null }) });
  });

  it('reply-all leaves out every address of the replying mailbox, its aliases too', async () => {
    await sendMail(SOC, 'Reply all of us', [ALIAS, 'carol@contoso.example']);
    const [copy] = await h.json<Collection<Message & { id: string }>>(`/v1.0/users/${DANA}/mailFolders/inbox/messages?$filter=${u("subject eq 'Reply all of us'")}&$select=id`).then((r) => r.body.value);
    const draft = await post(`/v1.0/users/${DANA}/messages/${copy.id}/createReplyAll`, {});
    const to = ((draft.body as Message).toRecipients ?? []).map((r) => r.emailAddress?.address?.toLowerCase());
    expect(to).toContain(SOC);
    expect(to).not.toContain(ALIAS);
    expect(to).not.toContain(DANA);
  });
});

describe('demo tenant: the SOC lead', () => {
  let demo: Harness;
  beforeAll(async () => {
    demo = await harness({ port: 0, seed: 'demo' });
  });
  afterAll(() => demo.emu.close());

  it('Dana Lee (SOC Lead) has the alias soc-lead@, no auto-reply, and gets its mail', async () => {
    const dana = await demo.json<User>(`/v1.0/users/dana.lee@contoso.example?$select=displayName,jobTitle,mail,proxyAddresses`);
    expect(dana.body).toMatchObject({ displayName: 'Dana Lee', jobTitle: 'SOC Lead', mail: 'dana.lee@contoso.example', proxyAddresses: ['SMTP:dana.lee@contoso.example', 'smtp:soc-lead@contoso.example'] });
    const found = await demo.json<Collection<User>>(`/v1.0/users?$filter=${u("proxyAddresses/any(x:x eq 'smtp:soc-lead@contoso.example')")}`);
    expect(found.body.value.map((x) => x.userPrincipalName)).toEqual(['dana.lee@contoso.example']);
    expect((await demo.json<ErrorAnswer>('/v1.0/users/soc-lead@contoso.example')).status).toBe(404);

    const sent = await demo.json(`/v1.0/users/${SOC}/sendMail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: { subject: 'Lead, please approve', toRecipients: [{ emailAddress: { address: 'soc-lead@contoso.example' } }] } }) });
    expect(sent.status).toBe(202);
    const q = (user: string, subject: string) => demo.json<Collection<Message>>(`/v1.0/users/${user}/mailFolders/inbox/messages?$filter=${u(`subject eq '${subject}'`)}&$select=subject`).then((r) => r.body.value);
    expect(await q('dana.lee@contoso.example', 'Lead, please approve')).toHaveLength(1);
    expect(await q(SOC, 'RE: Lead, please approve')).toEqual([]);
  });
});
