/** Ping: Use the Ping action to test connectivity to the Microsoft Graph mail service. */
import { isGraphError } from '../graph/errors.ts';
import { defineAction, failed, succeeded, type ActionOutcome } from '../soar/action.ts';
import { errorReason } from '../soar/runtime.ts';
import { mailboxPath } from '../mail/mailboxes.ts';

/** The application permissions the documentation tells admins to grant, in its order. */
export const DOCUMENTED_PERMISSIONS = [
  'Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'User.Read', 'Directory.Read.All',
] as const;

/** Not in the documentation, but Get Mailbox Account Out Of Facility Settings calls /presence. */
export const ALSO_NEEDED_PERMISSIONS = ['Presence.Read.All'] as const;

/**
 * Which granted roles satisfy a needed permission. "User.Read" is a delegated permission name:
 * as an application permission it only exists as User.Read.All, and the directory roles include
 * it. A ReadWrite role includes the matching Read role.
 */
const SATISFIED_BY: Record<string, string[]> = {
  'Mail.Read': ['Mail.Read', 'Mail.ReadWrite'],
  'Mail.ReadWrite': ['Mail.ReadWrite'],
  'Mail.Send': ['Mail.Send'],
  'MailboxSettings.Read': ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
  'MailboxSettings.ReadWrite': ['MailboxSettings.ReadWrite'],
  'User.Read': ['User.Read', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'Directory.Read.All': ['Directory.Read.All', 'Directory.ReadWrite.All'],
  'Presence.Read.All': ['Presence.Read.All', 'Presence.ReadWrite.All'],
};

/** Needed permissions (documented ones, then Presence.Read.All) that `roles` do not cover. */
export function missingPermissions(roles: readonly string[]): string[] {
  const granted = new Set(roles.map((r) => r.toLowerCase()));
  return [...DOCUMENTED_PERMISSIONS, ...ALSO_NEEDED_PERMISSIONS].filter(
    (p) => !(SATISFIED_BY[p] ?? [p]).some((r) => granted.has(r.toLowerCase())),
  );
}

/** The JSON result of Ping (a departure: documented as not available; docs/deviations.md). */
export interface PingJsonResult {
  connected: boolean;
  /** The application roles of the token, sorted. */
  granted_permissions: string[];
  missing_permissions: string[];
  default_mailbox: string;
}

export const ping = defineAction({
  name: 'Ping',
  description: 'Use the Ping action to test connectivity to the Microsoft Graph mail service.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [],
  messages: {
    success: 'Successfully connected to the Microsoft Graph mail service with the provided connection parameters!', // success
    error: 'Failed to connect to the Microsoft Graph mail service! Error is {ERROR_REASON}', // failure
  },
  async run(ctx): Promise<ActionOutcome<PingJsonResult>> {
    const mailbox = ctx.config.defaultMailbox;
    // The token proves Tenant / Client ID / Secret ID; its roles say what the app may do, so the
    // missing permissions are known (and reported) even when a probe below is refused for them.
    const token = await ctx.graph.getToken();
    const missing = missingPermissions(token.roles);
    const note = missing.length > 0 ? ` Missing application permissions: ${missing.join(', ')}.` : '';
    const json = (connected: boolean): PingJsonResult => ({
      connected,
      granted_permissions: [...token.roles].sort(),
      missing_permissions: missing,
      default_mailbox: mailbox,
    });
    try {
      await ctx.graph.get(mailboxPath(mailbox), { query: { $select: 'id,userPrincipalName' }, mailbox });
      // Reading the inbox proves mail access, which the user lookup alone does not.
      await ctx.graph.get(`${mailboxPath(mailbox)}/mailFolders/inbox`, { query: { $select: 'id' }, mailbox });
    } catch (e) {
      if (!isGraphError(e) || (e.status !== 404 && e.status !== 403)) throw e;
      const reason = e.status === 404 && e.code !== 'ErrorItemNotFound'
        ? `The Default Mailbox "${mailbox}" was not found in the tenant.`
        : errorReason(e);
      return failed(ctx.message('error', { ERROR_REASON: reason }) + note, { json_result: json(false) });
    }
    return succeeded(ctx.message('success') + note, { json_result: json(true) });
  },
});
