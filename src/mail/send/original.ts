/**
 * The email a reply or forward answers: one `Mail ID` (a Graph id or an internetMessageId) in the
 * sending mailbox, in a folder or anywhere in it, through the one finder.
 */
import type { GraphClient } from '../../graph/types.ts';
import { findMessages } from '../find.ts';
import { parseMailIds } from '../mail-ids.ts';
import { InputError } from '../../soar/errors.ts';

export type OriginalLookup =
  | { kind: 'found'; id: string; from: string; toAddresses: string[] }
  | { kind: 'notFound' }
  | { kind: 'folderNotFound' }
  | { kind: 'mailboxMissing' };

export async function findOriginal(graph: GraphClient, mailbox: string, folder: string | null, mailId: string, parameter: string, now: Date): Promise<OriginalLookup> {
  const ids = parseMailIds([mailId]);
  if (ids.length !== 1) throw new InputError(`Parameter "${parameter}" must hold one mail id (a Graph id or an internetMessageId), got "${mailId}".`, parameter);
  const verdict = (await findMessages(graph, [mailbox], folder, { ids, criteria: {}, now, select: ['id', 'from', 'toRecipients', 'ccRecipients'] })).get(mailbox)!;
  if (verdict.kind === 'missing') return { kind: 'mailboxMissing' };
  if (verdict.kind === 'folderNotFound') return { kind: 'folderNotFound' };
  if (verdict.kind === 'failed') throw verdict.error;
  const [m] = verdict.result.messages;
  if (!m) return { kind: 'notFound' };
  const addr = (r: { emailAddress?: { address?: string | null } | null } | null | undefined) => r?.emailAddress?.address?.toLowerCase() ?? '';
  return {
    kind: 'found',
    id: m.id,
    from: addr(m.from),
    toAddresses: [...(m.toRecipients ?? []), ...(m.ccRecipients ?? [])].map(addr).filter(Boolean),
  };
}
