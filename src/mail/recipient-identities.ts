/**
 * Who a recipient address is (issue 12: a reply from an alias is the recipient's reply). An
 * address of the tenant resolves, through the directory, to its mailbox and every address that
 * mailbox answers to (its UPN, its primary SMTP address and each `smtp:` proxy address); a reply
 * from any of them is that recipient's. An address the directory does not know (outside the
 * tenant, or a directory the app may not read) is only itself.
 *
 * A distribution list (a mail-enabled group) is one recipient answered by any of its members:
 * its addresses are its own and every address of each member, nested groups included. So "wait
 * for all" waits for one answer per list, not for every member of it.
 *
 * Lookups: user-list.md with `$filter=proxyAddresses/any(x:x eq 'smtp:...')` (user.md: the
 * property supports `eq` in a lambda without advanced query parameters) and, for tenants whose
 * UPNs are not mail addresses, `userPrincipalName eq '...'`; group-list.md with the same
 * proxyAddresses filter; all in one `$batch`. A group's members: group-list-transitivemembers.md
 * with the `microsoft.graph.user` cast, every page.
 */
import { anyEq, eq } from '../graph/odata.ts';
import { isGraphError } from '../graph/errors.ts';
import type { BatchItem, GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';

export interface RecipientIdentity {
  /** The address as the sent email named it, lower-case. */
  address: string;
  /** The mailbox (UPN) it belongs to, or null outside the tenant (and for a distribution list). */
  mailbox: string | null;
  /** Every address that is this recipient, lower-case, the addressed one first. */
  addresses: string[];
}

export interface IdentityLookup {
  recipients: RecipientIdentity[];
  /** The directory could not be read (403: no User.Read.All): addresses were taken as written. */
  directoryUnavailable: boolean;
  /** Groups could not be read (403: no GroupMember.Read.All): a list's address must answer itself. */
  groupsUnavailable: boolean;
}

interface DirectoryGroup {
  id: string;
}

interface DirectoryUser {
  userPrincipalName?: string | null;
  mail?: string | null;
  proxyAddresses?: string[] | null;
}

const SELECT = 'id,userPrincipalName,mail,proxyAddresses';

function addressesOf(u: DirectoryUser): string[] {
  const out = [u.userPrincipalName, u.mail, ...(u.proxyAddresses ?? []).filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5))];
  return out.filter((a): a is string => typeof a === 'string' && a.includes('@')).map((a) => a.toLowerCase());
}

export async function resolveRecipientIdentities(graph: GraphClient, addresses: readonly string[]): Promise<IdentityLookup> {
  const wanted = [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))];
  const PER = 3;
  const items: BatchItem[] = wanted.flatMap((a) => [
    { method: 'GET' as const, url: `/users?$filter=${encodeURIComponent(anyEq('proxyAddresses', `smtp:${a}`))}&$select=${SELECT}` },
    { method: 'GET' as const, url: `/users?$filter=${encodeURIComponent(eq('userPrincipalName', a))}&$select=${SELECT}` },
    { method: 'GET' as const, url: `/groups?$filter=${encodeURIComponent(anyEq('proxyAddresses', `smtp:${a}`))}&$select=id` },
  ]);
  const results = items.length > 0 ? await graph.batch<{ value?: Array<DirectoryUser & DirectoryGroup> }>(items) : [];
  let directoryUnavailable = false;
  let groupsUnavailable = false;
  const ok = (status: number) => status >= 200 && status < 300;
  const recipients: RecipientIdentity[] = [];
  for (const [i, address] of wanted.entries()) {
    const [byProxy, byUpn, asGroup] = results.slice(PER * i, PER * i + PER);
    const users: DirectoryUser[] = [];
    // A refusal, or any other failure (a tenant refusing the filter, a 5xx after the client's
    // retries): that address is then taken as written, and the message says the lookup failed.
    for (const r of [byProxy, byUpn]) {
      if (ok(r.status)) users.push(...(r.body?.value ?? []));
      else directoryUnavailable = true;
    }
    if (!ok(asGroup.status)) groupsUnavailable = true;
    const user = users[0];
    const group = !user && ok(asGroup.status) ? asGroup.body?.value?.[0] : undefined;
    if (user) {
      const others = addressesOf(user).filter((a) => a !== address);
      recipients.push({ address, mailbox: user.userPrincipalName?.toLowerCase() ?? null, addresses: [address, ...new Set(others)] });
    } else if (group?.id) {
      const members = await groupMembers(graph, group.id);
      if (members === 'refused') {
        groupsUnavailable = true;
        recipients.push({ address, mailbox: null, addresses: [address] });
        continue;
      }
      const memberAddresses = [...new Set(members.flatMap(addressesOf))].filter((a) => a !== address);
      recipients.push({ address, mailbox: null, addresses: [address, ...memberAddresses] });
    } else {
      recipients.push({ address, mailbox: null, addresses: [address] });
    }
  }
  return { recipients, directoryUnavailable, groupsUnavailable };
}

/** Every user of a group, nested groups flattened, every page; 'refused' without the permission. */
async function groupMembers(graph: GraphClient, groupId: string): Promise<DirectoryUser[] | 'refused'> {
  const out: DirectoryUser[] = [];
  try {
    // group-list-transitivemembers.md: an OData cast is an advanced query (ConsistencyLevel + $count).
    const opts = { query: { $select: SELECT, $top: 999, $count: 'true' }, headers: { ConsistencyLevel: 'eventual' } };
    for await (const u of graph.paginate<DirectoryUser>(`/groups/${segment(groupId)}/transitiveMembers/microsoft.graph.user`, opts)) out.push(u);
  } catch (e) {
    if (isGraphError(e) && (e.status === 401 || e.status === 403)) return 'refused';
    throw e;
  }
  return out;
}

/** The recipients a reply's sender address answers for: the person, and each list it is a member of. */
export function recipientsOf(identities: readonly RecipientIdentity[], from: string): RecipientIdentity[] {
  const f = from.trim().toLowerCase();
  return identities.filter((r) => r.addresses.includes(f));
}
