/** Get Mailbox Account Out Of Facility Settings: Use the Get Mailbox Account Out Of Facility Settings action to retrieve the mailbox account out of facility (OOF) settings for the Google SecOps User entity provided. */
import { isGraphError } from '../graph/errors.ts';
import { defineAction, failed, succeeded, type ActionOutcome } from '../soar/action.ts';
import { mailboxPath } from '../mail/mailboxes.ts';
import type { Presence, SelectedUser } from '../mail/shapes.ts';

/** One entry of the JSON result: the SOAR convention for entity actions; `EntityResult` is the documented presence document. */
export interface EntityResult {
  Entity: string;
  EntityResult: Presence;
}

/** The JSON result: one entry per User entity found (docs/deviations.md: always a list). */
export type GetMailboxAccountOutOfFacilitySettingsJsonResult = EntityResult[];

export const getMailboxAccountOutOfFacilitySettings = defineAction({
  name: 'Get Mailbox Account Out Of Facility Settings',
  description: 'Use the Get Mailbox Account Out Of Facility Settings action to retrieve the mailbox account out of facility (OOF) settings for the Google SecOps User entity provided.',
  async: false,
  entities: 'User',
  betaApi: true,
  params: [],
  messages: {
    success: 'Successfully returned OOF settings for {ENTITY_ID}.', // success
    usersNotFound: 'Failed to find the following usernames in Office 365 service: {USERNAME_LIST}.', // success
    // DECISIONS: the documented text names "Add Identity Protection Detection Comment"; we name this action.
    error: 'Error executing action "Get Mailbox Account Out Of Facility Settings". Reason: {ERROR_REASON}', // failure
    oofNotFound: "Action wasn't able to find OOF settings for {ENTITY_ID}.", // failure
  },
  async run(ctx): Promise<ActionOutcome<GetMailboxAccountOutOfFacilitySettingsJsonResult>> {
    const seen = new Set<string>();
    const users = ctx.entities
      .filter((e) => e.type.toLowerCase() === 'user')
      .map((e) => e.identifier.trim())
      .filter((id) => id !== '' && !seen.has(id.toLowerCase()) && seen.add(id.toLowerCase()));
    if (users.length === 0) {
      return failed(
        ctx.message('error', { ERROR_REASON: 'no User entities to run on (give them as --entity User:<user principal name>).' }),
      );
    }
    const withOof: string[] = [];
    const withoutOof: string[] = [];
    const notFound: string[] = [];
    const results: EntityResult[] = [];
    for (const upn of users) {
      let id: string;
      try {
        const user = await ctx.graph.get<SelectedUser<'userPrincipalName'>>(mailboxPath(upn), { query: { $select: 'id,userPrincipalName' } });
        id = user.id;
      } catch (e) {
        if (isGraphError(e) && e.status === 404) {
          notFound.push(upn);
          continue;
        }
        throw e;
      }
      const presence = await ctx.graph.get<Presence>(`${mailboxPath(id)}/presence`, { version: 'beta' });
      results.push({ Entity: upn, EntityResult: presence });
      (presence.outOfOfficeSettings ? withOof : withoutOof).push(upn);
    }
    const lines: string[] = [];
    if (withOof.length > 0) lines.push(ctx.message('success', { ENTITY_ID: withOof }));
    if (withoutOof.length > 0) lines.push(ctx.message('oofNotFound', { ENTITY_ID: withoutOof }));
    if (notFound.length > 0) lines.push(ctx.message('usersNotFound', { USERNAME_LIST: notFound }));
    const outcome = { json_result: results };
    return withOof.length > 0 ? succeeded(lines.join('\n'), outcome) : failed(lines.join('\n'), { ...outcome, execution_state: 'COMPLETED' });
  },
});
