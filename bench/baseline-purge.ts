/**
 * What today's integrations do to purge one email: one mailbox at a time, one request at a time,
 * no `$batch` — find the copies with `$filter=internetMessageId eq '...'` in the folder, then
 * DELETE each match. The only courtesy to Graph is honouring Retry-After (the client's retry layer).
 */
import { eq } from '../src/graph/odata.ts';
import { segment } from '../src/graph/url.ts';
import type { GraphClient } from '../src/graph/types.ts';

export interface BaselineResult {
  deleted: number;
  failedMailboxes: number;
}

export async function baselinePurge(graph: GraphClient, mailboxes: readonly string[], internetMessageId: string, folder: string): Promise<BaselineResult> {
  let deleted = 0;
  let failedMailboxes = 0;
  for (const mailbox of mailboxes) {
    const user = `/users/${segment(mailbox)}`;
    try {
      const found = await graph.request<{ value: Array<{ id: string }> }>({
        method: 'GET',
        path: `${user}/mailFolders/${segment(folder)}/messages`,
        query: { $filter: eq('internetMessageId', internetMessageId), $select: 'id' },
        mailbox,
      });
      for (const m of found.body.value) {
        await graph.request({ method: 'DELETE', path: `${user}/messages/${segment(m.id)}`, mailbox });
        deleted += 1;
      }
    } catch {
      failedMailboxes += 1;
    }
  }
  return { deleted, failedMailboxes };
}
