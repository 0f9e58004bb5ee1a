/**
 * Directory groups (group.md, group-list.md, group-get.md, group-list-members.md,
 * group-list-transitivemembers.md): the list with `$filter`, one group, and its members direct or
 * transitive, with the `microsoft.graph.user` / `microsoft.graph.group` casts.
 */
import { json } from '../state.ts';
import { isGroup, type GroupRecord, type UserRecord } from '../store.ts';
import { effectiveOptions, emptyPagesOf, paginate, parseBool, parseTop, selectFields } from '../paging.ts';
import { compileFilter, groupSchema } from '../odata/index.ts';
import { EmulatorError } from '../errors.ts';
import { collectionUrl, contextUrl, type Handler, type HandlerContext } from './common.ts';
import { fullUserResource, SELECTABLE_USER_FIELDS, userView } from './users.ts';

/** group.md's "Returned by default" properties, in the order Graph's examples list them. */
function groupResource(g: GroupRecord): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: g.createdDateTime,
    description: null,
    displayName: g.displayName,
    expirationDateTime: null,
    groupTypes: [...g.groupTypes],
    isAssignableToRole: null,
    mail: g.mail,
    mailEnabled: g.mailEnabled,
    mailNickname: g.mailNickname,
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesDomainName: null,
    onPremisesLastSyncDateTime: null,
    onPremisesNetBiosName: null,
    onPremisesSamAccountName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesSyncEnabled: null,
    preferredDataLocation: null,
    preferredLanguage: null,
    proxyAddresses: [...g.proxyAddresses],
    renewedDateTime: g.createdDateTime,
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: [],
    securityEnabled: g.securityEnabled,
    securityIdentifier: securityIdentifierOf(g.id),
    theme: null,
    visibility: null,
    onPremisesProvisioningErrors: [],
  };
}

const SELECTABLE_GROUP_FIELDS = Object.keys(groupResource({ id: '00000000-0000-0000-0000-000000000000', displayName: '', mail: null, mailNickname: '', proxyAddresses: [], mailEnabled: false, securityEnabled: false, groupTypes: [], memberIds: [], createdDateTime: '' }));

/**
 * Entra's SID of a cloud group: `S-1-12-1-` and the object id read as four little-endian
 * 32-bit numbers in .NET's Guid byte order (group-get.md's example pairs such an id and SID).
 */
function securityIdentifierOf(id: string): string {
  const b = Buffer.from(id.replace(/-/g, ''), 'hex');
  const net = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
  return `S-1-12-1-${[0, 4, 8, 12].map((o) => net.readUInt32LE(o)).join('-')}`;
}

function groupView(g: GroupRecord, select: string | undefined): Record<string, unknown> {
  return selectFields(groupResource(g), select, SELECTABLE_GROUP_FIELDS);
}

/** group-get.md: an unknown id is the directory's 404 (the same one `/users/{x}` answers). */
function groupOf(ctx: HandlerContext): GroupRecord {
  const group = ctx.state.store.findGroup(ctx.params.group);
  if (!group) {
    throw new EmulatorError(404, 'Request_ResourceNotFound', `Resource '${ctx.params.group}' does not exist or one of its queried reference-property objects are not present.`);
  }
  return group;
}

export const listGroups: Handler = (ctx) => {
  const { options, skip, emptyServed } = effectiveOptions(ctx.req);
  // group-list.md: "The default and maximum page sizes are 100 and 999 group objects".
  const top = parseTop(options.$top, 100, 999);
  let groups = ctx.state.store.listGroups();
  if (options.$filter !== undefined) {
    const test = compileFilter(options.$filter, groupSchema);
    groups = groups.filter((g) => test(groupResource(g)));
  }
  const page = paginate(groups, options, skip, top, collectionUrl(ctx), emptyPagesOf(ctx.state, emptyServed));
  return json(200, {
    '@odata.context': contextUrl(ctx, 'groups'),
    ...(parseBool('$count', options.$count) ? { '@odata.count': page.count } : {}),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((g) => groupView(g, options.$select)),
  });
};

export const getGroup: Handler = (ctx) => {
  const group = groupOf(ctx);
  return json(200, {
    '@odata.context': contextUrl(ctx, 'groups/$entity'),
    ...groupView(group, ctx.req.query.get('$select') ?? undefined),
  });
};

/** Roles that read user objects; a member list without one shows users with limited information. */
const USER_READ_ROLES = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

type Cast = 'user' | 'group' | undefined;

/**
 * `$select` on a directoryObject collection may name a property of any member type; each member
 * shows those its type has. Under a cast only that type's properties are known.
 */
function checkSelect(select: string | undefined, cast: Cast): void {
  if (select === undefined) return;
  const known = cast === 'user' ? SELECTABLE_USER_FIELDS : cast === 'group' ? SELECTABLE_GROUP_FIELDS : [...SELECTABLE_USER_FIELDS, ...SELECTABLE_GROUP_FIELDS];
  for (const raw of select.split(',')) {
    const name = raw.trim();
    if (name && !known.some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw new EmulatorError(400, 'Request_BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${cast ?? 'directoryObject'}'.`);
    }
  }
}

function pickKnown(resource: Record<string, unknown>, select: string, known: string[]): Record<string, unknown> {
  const wanted = select.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return selectFields(resource, known.filter((k) => wanted.includes(k.toLowerCase())).join(','), known);
}

function memberView(m: UserRecord | GroupRecord, select: string | undefined, cast: Cast, canReadUsers: boolean): Record<string, unknown> {
  // A cast collection is typed by its context URL (`#users`), so its items carry no @odata.type (group-list-transitivemembers.md, examples 4 and 5).
  const type = cast ? {} : { '@odata.type': `#microsoft.graph.${isGroup(m) ? 'group' : 'user'}` };
  if (isGroup(m)) {
    return { ...type, ...(select === undefined ? groupResource(m) : pickKnown(groupResource(m), select, SELECTABLE_GROUP_FIELDS)) };
  }
  const view = select === undefined ? userView(m, undefined) : pickKnown(fullUserResource(m), select, SELECTABLE_USER_FIELDS);
  if (!canReadUsers) {
    // "only the @odata.type property for the object type and the id is returned, while other properties are indicated as null" (limited-info.md).
    for (const k of Object.keys(view)) if (k !== 'id') view[k] = null;
    return { '@odata.type': '#microsoft.graph.user', ...view };
  }
  return { ...type, ...view };
}

function membersHandler(transitive: boolean, cast: Cast): Handler {
  return (ctx) => {
    const group = groupOf(ctx);
    const { options, skip, emptyServed } = effectiveOptions(ctx.req);
    const top = parseTop(options.$top, 100, 999);
    checkSelect(options.$select, cast);
    const store = ctx.state.store;
    let members = transitive ? store.transitiveMembersOf(group) : store.membersOf(group);
    if (cast) members = members.filter((m) => isGroup(m) === (cast === 'group'));
    const roles = ctx.req.claims?.roles ?? [];
    const canReadUsers = USER_READ_ROLES.some((r) => roles.includes(r));
    const page = paginate(members, options, skip, top, collectionUrl(ctx), emptyPagesOf(ctx.state, emptyServed));
    return json(200, {
      '@odata.context': contextUrl(ctx, cast === 'user' ? 'users' : cast === 'group' ? 'groups' : 'directoryObjects'),
      ...(parseBool('$count', options.$count) ? { '@odata.count': page.count } : {}),
      ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
      value: page.items.map((m) => memberView(m, options.$select, cast, canReadUsers)),
    });
  };
}

export const listMembers = membersHandler(false, undefined);
export const listMemberUsers = membersHandler(false, 'user');
export const listMemberGroups = membersHandler(false, 'group');
export const listTransitiveMembers = membersHandler(true, undefined);
export const listTransitiveMemberUsers = membersHandler(true, 'user');
export const listTransitiveMemberGroups = membersHandler(true, 'group');
