import { json } from '../state.ts';
import type { UserRecord } from '../store.ts';
import { effectiveOptions, emptyPagesOf, paginate, parseBool, parseTop, selectFields } from '../paging.ts';
import { compileFilter, userSchema } from '../odata/index.ts';
import { graphErrors } from '../errors.ts';
import { collectionUrl, contextUrl, mailboxOf, quoteKey, type Handler } from './common.ts';

const USER_FIELDS = [
  'id',
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

/** user.md: "Returned only on `$select`." (not in the default property set). */
const SELECT_ONLY_FIELDS = ['proxyAddresses'];
export const SELECTABLE_USER_FIELDS = [...USER_FIELDS, ...SELECT_ONLY_FIELDS];

/** What a `$select` (or a `$filter`) may read: the default set plus the select-only properties. */
export function fullUserResource(u: UserRecord): Record<string, unknown> {
  return { ...userResource(u), proxyAddresses: [...u.proxyAddresses] };
}

export function userView(u: UserRecord, select: string | undefined): Record<string, unknown> {
  return select === undefined ? userResource(u) : selectFields(fullUserResource(u), select, SELECTABLE_USER_FIELDS);
}

function userResource(u: UserRecord): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: u.preferredLanguage,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
  };
}

export const listUsers: Handler = (ctx) => {
  const { options, skip, emptyServed } = effectiveOptions(ctx.req);
  const top = parseTop(options.$top, 100, 999);
  let users = ctx.state.store.listUsers();
  if (options.$filter !== undefined) {
    const test = compileFilter(options.$filter, userSchema);
    users = users.filter((u) => test({ ...fullUserResource(u), accountEnabled: true, userType: 'Member' }));
  }
  const page = paginate(users, options, skip, top, collectionUrl(ctx), emptyPagesOf(ctx.state, emptyServed));
  return json(200, {
    '@odata.context': contextUrl(ctx, 'users'),
    ...(parseBool('$count', options.$count) ? { '@odata.count': page.count } : {}),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((u) => userView(u, options.$select)),
  });
};

export const getUser: Handler = (ctx) => {
  const user = ctx.state.store.findUser(ctx.params.user);
  if (!user) throw graphErrors.userNotFound(ctx.params.user);
  const select = ctx.req.query.get('$select') ?? undefined;
  return json(200, {
    '@odata.context': contextUrl(ctx, 'users/$entity'),
    ...userView(user, select),
  });
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const getPresence: Handler = (ctx) => {
  // presence-get.md: "You must pass the user's ID"; a UPN is refused.
  if (!GUID.test(ctx.params.user)) {
    throw graphErrors.badRequest(`Invalid user id '${ctx.params.user}': presence requires the user's object id (GUID).`);
  }
  const user = ctx.state.store.findUser(ctx.params.user);
  if (!user) throw graphErrors.userNotFound(ctx.params.user);
  const p = user.presence;
  return json(200, {
    '@odata.context': contextUrl(ctx, 'communications/presences/$entity'),
    id: user.id,
    availability: p.availability,
    activity: p.activity,
    statusMessage: p.statusMessage,
    outOfOfficeSettings: { ...p.outOfOfficeSettings },
  });
};

export const getMailboxSettings: Handler = (ctx) => {
  const user = mailboxOf(ctx);
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/mailboxSettings`),
    ...structuredClone(user.mailboxSettings),
  });
};

export const getAutomaticReplies: Handler = (ctx) => {
  const user = mailboxOf(ctx);
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/mailboxSettings/automaticRepliesSetting`),
    ...structuredClone(user.mailboxSettings.automaticRepliesSetting as Record<string, unknown>),
  });
};
