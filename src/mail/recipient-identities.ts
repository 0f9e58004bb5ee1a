/**
 * Who a recipient address is (issue 12: a reply from an alias is the recipient's reply). An
 * address of the tenant resolves, through the directory, to its mailbox and every address that
 * mailbox answers to (its UPN, its primary SMTP address and each `smtp:` proxy address); a reply
 * from any of them is that recipient's. An address the directory does not know (outside the
 * tenant, or a directory the app may not read) is only itself.
 *
 * Lookups: user-list.md with `$filter=proxyAddresses/any(x:x eq 'smtp:...')` (user.md: the
 * property supports `eq` in a lambda without advanced query parameters) and, for tenants whose
 * UPNs are not mail addresses, `userPrincipalName eq '...'`; both in one `$batch`.
 */
import { anyEq, eq } from '../graph/odata.ts';
import type { BatchItem, GraphClient } from '../graph/types.ts';

export interface RecipientIdentity {
  /** The address as the sent email named it, lower-case. */
  address: string;
  /** The mailbox (UPN) it belongs to, or null outside the tenant. */
  mailbox: string | null;
  /** Every address that is this recipient, lower-case, the addressed one first. */
  addresses: string[];
}

export interface IdentityLookup {
  recipients: RecipientIdentity[];
  /** The directory could not be read (403: no User.Read.All): addresses were taken as written. */
  directoryUnavailable: boolean;
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
  const items: BatchItem[] = wanted.flatMap((a) => [
    { method: 'GET' as const, url: `/users?$filter=${encodeURIComponent(anyEq('proxyAddresses', `smtp:${a}`))}&$select=${SELECT}` },
    { method: 'GET' as const, url: `/users?$filter=${encodeURIComponent(eq('userPrincipalName', a))}&$select=${SELECT}` },
  ]);
  const results = items.length > 0 ? await graph.batch<{ value?: DirectoryUser[] }>(items) : [];
  let directoryUnavailable = false;
  const recipients = wanted.map((address, i) => {
    const found: DirectoryUser[] = [];
    for (const r of [results[2 * i], results[2 * i + 1]]) {
      if (r.status === 403 || r.status === 401) directoryUnavailable = true;
      else if (r.status >= 200 && r.status < 300) found.push(...(r.body?.value ?? []));
      // Anything else (a 5xx after the client's retries): that address is taken as written, safe either way.
    }
    const user = found[0];
    const others = user ? addressesOf(user).filter((a) => a !== address) : [];
    return { address, mailbox: user?.userPrincipalName?.toLowerCase() ?? null, addresses: [address, ...new Set(others)] };
  });
  return { recipients, directoryUnavailable };
}

/** The recipient a reply's sender address is, or undefined. */
export function recipientOf(identities: readonly RecipientIdentity[], from: string): RecipientIdentity | undefined {
  const f = from.trim().toLowerCase();
  return identities.find((r) => r.addresses.includes(f));
}
