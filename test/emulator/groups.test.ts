/**
 * Distribution groups: created through the admin API, served as the directory serves them
 * (group.md: proxyAddresses returned by default; group-list-transitivemembers.md: nested members
 * flattened, the `microsoft.graph.user` cast, GroupMember.Read.All and up) and expanded by mail
 * flow as Exchange expands a distribution list: one copy per member mailbox, To as addressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group, Message, User } from '@microsoft/microsoft-graph-types';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { harness, SOC, u, type Collection, type ErrorAnswer, type Harness } from './helpers.ts';

const DANA = 'dana@contoso.example';
const EVE = 'eve@contoso.example';
const FRANK = 'frank@contoso.example';
const NOMAIL = 'gina.nomail@contoso.example';
const LEADS = 'leads@contoso.example';
const TEAM = 'team@contoso.example';
const TEAM_ALIAS = 'soc-team@contoso.example';
const EMPTY = 'nobody-home@contoso.example';
const DUPLICATE = 'Another object with the same value for property proxyAddresses already exists.';

type Member = (User | Group) & { '@odata.type'?: string };
type Listed<T> = Collection<T> & { '@odata.context'?: string };

let h: Harness;
const ids: Record<string, string> = {};

const adminJson = async (path: string, body: unknown) => {
  const res = await h.admin(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const addGroup = (body: unknown) => adminJson('/groups', body);
const setPermissions = (permissions: string[]) =>
  h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions }) });
const sendMail = (from: string, subject: string, to: string[]) =>
  h.json(`/v1.0/users/${from}/sendMail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: { subject, body: { contentType: 'Text', content: subject }, toRecipients: to.map((address) => ({ emailAddress: { address } })) } }),
  });

async function inbox(user: string, subject: string): Promise<Message[]> {
  const q = new URLSearchParams({ $filter: `subject eq '${subject}'`, $select: 'subject,from,toRecipients,internetMessageId,internetMessageHeaders' });
  const r = await h.json<Collection<Message>>(`/v1.0/users/${u(user)}/mailFolders/inbox/messages?${q}`);
  expect(r.status).toBe(200);
  return r.body.value;
}

/** Every item of a paged list, following @odata.nextLink. */
async function all<T>(path: string, init?: { token?: string }): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const r: { status: number; body: Collection<T> } = await h.json<Collection<T>>(next, init);
    expect(r.status).toBe(200);
    items.push(...r.body.value);
    next = r.body['@odata.nextLink'];
    pages += 1;
  }
  return { items, pages };
}

beforeAll(async () => {
  h = await harness({ port: 0, seed: 'empty' });
  for (const upn of [DANA, EVE, FRANK]) expect((await adminJson('/users', { userPrincipalName: upn })).status).toBe(201);
  expect((await adminJson('/users', { userPrincipalName: NOMAIL, mailbox: false })).status).toBe(201);
  const leads = await addGroup({ displayName: 'SOC Leads', mail: LEADS, members: [DANA, EVE] });
  expect(leads.status).toBe(201);
  ids.leads = leads.body.id;
  // Dana twice (directly and through Leads), the SOC mailbox that will send, a user without a mailbox.
  const team = await addGroup({ displayName: 'SOC Team', mail: TEAM, proxyAddresses: [TEAM_ALIAS], members: [FRANK, LEADS, 'DANA@contoso.example', SOC, NOMAIL] });
  expect(team.status).toBe(201);
  expect(team.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), mail: TEAM, proxyAddresses: [`SMTP:${TEAM}`, `smtp:${TEAM_ALIAS}`] });
  ids.team = team.body.id;
  const empty = await addGroup({ displayName: 'Nobody Home', mail: EMPTY, members: [] });
  expect(empty.status).toBe(201);
  ids.empty = empty.body.id;
});
afterAll(() => h.emu.close());

describe('POST /_emulator/groups', () => {
  it('refuses an unknown member, naming it, and creates nothing', async () => {
    const r = await addGroup({ displayName: 'Typo', mail: 'typo@contoso.example', members: [DANA, 'danna@contoso.example'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain("'danna@contoso.example'");
    const found = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u("mail eq 'typo@contoso.example'")}`);
    expect(found.body.value).toEqual([]);
  });

  it('keeps addresses unique across users and groups, as the users route does', async () => {
    for (const body of [
      { displayName: 'Clash', mail: DANA, members: [] },
      { displayName: 'Clash', mail: 'clash@contoso.example', proxyAddresses: [TEAM_ALIAS], members: [] },
    ]) {
      const r = await addGroup(body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'Request_BadRequest', message: DUPLICATE });
    }
    const user = await adminJson('/users', { userPrincipalName: TEAM });
    expect(user.status).toBe(400);
    expect(user.body.error.message).toBe(DUPLICATE);
    const alias = await adminJson('/users', { userPrincipalName: 'henry@contoso.example', proxyAddresses: [LEADS] });
    expect(alias.body.error.message).toBe(DUPLICATE);
  });
});

describe('GET /groups', () => {
  it('lists groups with their default properties, proxyAddresses included (group.md), on v1.0 and beta', async () => {
    for (const version of ['v1.0', 'beta']) {
      const r = await h.json<Listed<Group>>(`/${version}/groups`);
      expect(r.status).toBe(200);
      expect(r.body['@odata.context']).toBe(`${h.base}/${version}/$metadata#groups`);
      const team = r.body.value.find((g) => g.id === ids.team);
      expect(team).toMatchObject({ displayName: 'SOC Team', mail: TEAM, mailNickname: 'team', mailEnabled: true, securityEnabled: false, groupTypes: [], proxyAddresses: [`SMTP:${TEAM}`, `smtp:${TEAM_ALIAS}`] });
      expect(team?.securityIdentifier).toMatch(/^S-1-12-1-\d+-\d+-\d+-\d+$/);
    }
  });

  it('$filter on proxyAddresses/any, mail and displayName, with $select', async () => {
    const select = '$select=id,displayName,mail,proxyAddresses';
    const byAlias = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u(`proxyAddresses/any(x:x eq 'smtp:${TEAM_ALIAS}')`)}&${select}`);
    expect(byAlias.status).toBe(200);
    expect(byAlias.body.value).toEqual([{ id: ids.team, displayName: 'SOC Team', mail: TEAM, proxyAddresses: [`SMTP:${TEAM}`, `smtp:${TEAM_ALIAS}`] }]);
    const byPrimary = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u(`proxyAddresses/any(x:x eq 'SMTP:${TEAM.toUpperCase()}')`)}&$select=id`);
    expect(byPrimary.body.value).toEqual([{ id: ids.team }]);
    const byMail = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u(`mail eq '${LEADS}'`)}&${select}`);
    expect(byMail.body.value.map((g) => g.id)).toEqual([ids.leads]);
    const byName = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u("startswith(displayName, 'SOC')")}&$select=displayName`);
    expect(byName.body.value.map((g) => g.displayName).sort()).toEqual(['SOC Leads', 'SOC Team']);
    // A user's address is not a group's.
    const user = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u(`proxyAddresses/any(x:x eq 'smtp:${DANA}')`)}`);
    expect(user.body.value).toEqual([]);
    const unknown = await h.json<ErrorAnswer>('/v1.0/groups?$select=userPrincipalName');
    expect(unknown.status).toBe(400);
  });

  it('pages with $top and @odata.nextLink; $top over 999 is a 400', async () => {
    const { items, pages } = await all<Group>('/v1.0/groups?$top=1&$select=id');
    expect(pages).toBe(3);
    expect(items.map((g) => g.id).sort()).toEqual([ids.team, ids.leads, ids.empty].sort());
    expect((await h.json<ErrorAnswer>('/v1.0/groups?$top=1000')).status).toBe(400);
  });

  it('GET /groups/{id}; an unknown id is 404 Request_ResourceNotFound (group-get.md), its member lists too', async () => {
    const one = await h.json<Group>(`/v1.0/groups/${ids.leads}?$select=displayName,mail`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: ids.leads, displayName: 'SOC Leads', mail: LEADS });
    const missing = '6f1b0c2e-0000-4000-8000-000000000000';
    for (const path of [`/v1.0/groups/${missing}`, `/v1.0/groups/${missing}/transitiveMembers/microsoft.graph.user`, `/beta/groups/${missing}/members`]) {
      const r = await h.json<ErrorAnswer>(path);
      expect(r.status, path).toBe(404);
      expect(r.body.error).toEqual({ code: 'Request_ResourceNotFound', message: `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`, innerError: expect.anything() });
    }
  });
});

describe('members and transitiveMembers', () => {
  it('members lists the direct members, users and groups, each with its @odata.type', async () => {
    const r = await h.json<Listed<Member>>(`/v1.0/groups/${ids.team}/members?$select=id,displayName`);
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe(`${h.base}/v1.0/$metadata#directoryObjects`);
    expect(r.body.value.map((m) => [m['@odata.type'], m.displayName])).toEqual([
      ['#microsoft.graph.user', 'frank'],
      ['#microsoft.graph.group', 'SOC Leads'],
      ['#microsoft.graph.user', 'dana'],
      ['#microsoft.graph.user', 'SOC Mailbox'],
      ['#microsoft.graph.user', 'gina.nomail'],
    ]);
  });

  it('transitiveMembers flattens nested groups, each member once; the user cast keeps only users', async () => {
    const flat = await h.json<Collection<Member>>(`/v1.0/groups/${ids.team}/transitiveMembers`);
    expect(flat.status).toBe(200);
    expect(flat.body.value.map((m) => m.id)).toHaveLength(6);
    expect(flat.body.value.filter((m) => m['@odata.type'] === '#microsoft.graph.group').map((m) => m.id)).toEqual([ids.leads]);

    const q = '$select=id,userPrincipalName,mail,proxyAddresses';
    for (const version of ['v1.0', 'beta']) {
      const users = await h.json<Listed<User>>(`/${version}/groups/${ids.team}/transitiveMembers/microsoft.graph.user?${q}`);
      expect(users.status).toBe(200);
      expect(users.body['@odata.context']).toBe(`${h.base}/${version}/$metadata#users`);
      expect(users.body.value.map((x) => x.userPrincipalName)).toEqual([FRANK, DANA, EVE, SOC, NOMAIL]);
      const dana = users.body.value.find((x) => x.userPrincipalName === DANA);
      expect(dana).toEqual({ id: expect.any(String), userPrincipalName: DANA, mail: DANA, proxyAddresses: [`SMTP:${DANA}`] });
      expect(users.body.value.find((x) => x.userPrincipalName === NOMAIL)).toMatchObject({ mail: null, proxyAddresses: [] });
    }
    const groups = await h.json<Collection<Group>>(`/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.group?$select=mail`);
    expect(groups.body.value).toEqual([{ id: ids.leads, mail: LEADS }]);
    // Under the user cast only user properties are known.
    expect((await h.json<ErrorAnswer>(`/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.user?$select=mailEnabled`)).status).toBe(400);
  });

  it('pages with a small $top; the nextLink keeps the cast and the $select', async () => {
    const { items, pages } = await all<User>(`/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.user?$top=2&$select=id,userPrincipalName`);
    expect(pages).toBe(3);
    expect(items.map((x) => x.userPrincipalName)).toEqual([FRANK, DANA, EVE, SOC, NOMAIL]);
    expect(items.every((x) => Object.keys(x).sort().join() === 'id,userPrincipalName')).toBe(true);
    const top = await h.json<Collection<User>>(`/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.user?$top=999`);
    expect(top.status).toBe(200);
    expect(top.body['@odata.nextLink']).toBeUndefined();
  });

  it('an empty group has no members', async () => {
    const r = await h.json<Collection<User>>(`/v1.0/groups/${ids.empty}/transitiveMembers/microsoft.graph.user`);
    expect(r.body.value).toEqual([]);
  });
});

describe('permissions', () => {
  it('without a group role the directory 403; GroupMember.Read.All alone reads members with limited user information', async () => {
    try {
      await setPermissions(['Mail.Read', 'User.Read.All']);
      const token = await h.token();
      for (const path of ['/v1.0/groups', `/v1.0/groups/${ids.team}`, `/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.user`]) {
        const r = await h.json<ErrorAnswer>(path, { token });
        expect(r.status, path).toBe(403);
        expect(r.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
      }

      await setPermissions(['GroupMember.Read.All']);
      const groupOnly = await h.token();
      const group = await h.json<Collection<Group>>(`/v1.0/groups?$filter=${u(`mail eq '${TEAM}'`)}&$select=id`, { token: groupOnly });
      expect(group.body.value).toEqual([{ id: ids.team }]);
      const users = await h.json<Collection<Member>>(`/v1.0/groups/${ids.team}/transitiveMembers/microsoft.graph.user?$select=id,mail`, { token: groupOnly });
      expect(users.status).toBe(200);
      // limited-info.md: the type and the id, other properties null.
      expect(users.body.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.any(String), mail: null });
    } finally {
      await setPermissions(DEFAULT_PERMISSIONS);
    }
    expect((await h.json(`/v1.0/groups/${ids.team}`, { token: await h.token() })).status).toBe(200);
  });
});

describe('mail to a group', () => {
  it('is delivered once to every member mailbox, nested lists expanded, the sender too, To as addressed', async () => {
    await h.admin('/outbound', { method: 'DELETE' });
    expect((await sendMail(SOC, 'To the team', [TEAM_ALIAS, DANA])).status).toBe(202);
    for (const member of [DANA, EVE, FRANK, SOC]) {
      const got = await inbox(member, 'To the team');
      expect(got, member).toHaveLength(1);
      expect(got[0].toRecipients?.map((r) => r.emailAddress?.address)).toEqual([TEAM_ALIAS, DANA]);
      expect(got[0].from?.emailAddress?.address).toBe(SOC);
    }
    expect(await inbox(SOC, 'Undeliverable: To the team')).toEqual([]);
    expect(await h.admin('/outbound').then((r) => r.json())).toEqual({ messages: [] });
  });

  it('a group without members: nothing delivered, no bounce', async () => {
    expect((await sendMail(FRANK, 'Anyone there?', [EMPTY])).status).toBe(202);
    expect(await inbox(FRANK, 'Undeliverable: Anyone there?')).toEqual([]);
    const [sent] = await h
      .json<Collection<Message>>(`/v1.0/users/${FRANK}/mailFolders/sentitems/messages?$filter=${u("subject eq 'Anyone there?'")}&$select=internetMessageId`)
      .then((r) => r.body.value);
    const copies = await h.admin(`/messages?internetMessageId=${u(sent.internetMessageId ?? '')}`).then((r) => r.json());
    expect(copies).toEqual({ total: 1, byFolder: { sentitems: 1 } });
    expect(await h.admin('/outbound').then((r) => r.json())).toEqual({ messages: [] });
  });

  it("a member's auto-reply answers the sender, threaded under the list's message", async () => {
    const set = (body: unknown) => adminJson(`/users/${DANA}/auto-reply`, { body });
    expect((await set('Approve')).status).toBe(200);
    try {
      await sendMail(SOC, 'Approve the purge?', [LEADS]);
      const [sent] = await h
        .json<Collection<Message>>(`/v1.0/users/${SOC}/mailFolders/sentitems/messages?$filter=${u("subject eq 'Approve the purge?'")}&$select=internetMessageId`)
        .then((r) => r.body.value);
      const answers = await inbox(SOC, 'RE: Approve the purge?');
      expect(answers).toHaveLength(1);
      expect(answers[0].from?.emailAddress?.address).toBe(DANA);
      expect(answers[0].internetMessageHeaders?.find((x) => x.name?.toLowerCase() === 'in-reply-to')?.value).toBe(sent.internetMessageId);
      expect(await inbox(EVE, 'Approve the purge?')).toHaveLength(1);
    } finally {
      await set(null);
    }
  });

  it("the sender's own copy from a list it is in gets no auto-reply from itself", async () => {
    expect((await adminJson(`/users/${SOC}/auto-reply`, { body: 'Out of office' })).status).toBe(200);
    try {
      await sendMail(SOC, 'Self via list', [TEAM]);
      expect(await inbox(SOC, 'Self via list')).toHaveLength(1);
      expect(await inbox(SOC, 'RE: Self via list')).toEqual([]);
    } finally {
      await adminJson(`/users/${SOC}/auto-reply`, { body: null });
    }
  });
});
