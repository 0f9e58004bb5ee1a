/**
 * The staged `$batch` flow Delete Email uses, reduced to the purge-by-internetMessageId case: per
 * batch of mailboxes, stage 1 finds the copies in every mailbox (one `graph.batch`), stage 2
 * deletes them (one `graph.batch`). Kept to measure what the client and emulator can do on their
 * own (`npm run bench:purge -- --path prototype`), apart from the action's own costs.
 */
import { eq } from '../src/graph/odata.ts';
import { segment } from '../src/graph/url.ts';
import type { BatchItem, GraphClient } from '../src/graph/types.ts';

export interface StagedResult {
  deleted: number;
  failed: number;
}

export async function stagedPurge(
  graph: GraphClient,
  mailboxes: readonly string[],
  internetMessageId: string,
  folder: string,
  batchSize: number,
): Promise<StagedResult> {
  let deleted = 0;
  let failed = 0;
  for (let i = 0; i < mailboxes.length; i += batchSize) {
    const batch = mailboxes.slice(i, i + batchSize);
    const finds: BatchItem[] = batch.map((mailbox, k) => ({
      id: `f${k}`,
      method: 'GET',
      url: `/users/${segment(mailbox)}/mailFolders/${segment(folder)}/messages?$filter=${encodeURIComponent(eq('internetMessageId', internetMessageId))}&$select=id`,
      mailbox,
    }));
    const found = await graph.batch<{ value: Array<{ id: string }> }>(finds);
    const deletes: BatchItem[] = [];
    found.forEach((r, k) => {
      if (r.error || !r.body) {
        failed += 1;
        return;
      }
      for (const m of r.body.value) deletes.push({ id: `d${deletes.length}`, method: 'DELETE', url: `/users/${segment(batch[k])}/messages/${segment(m.id)}`, mailbox: batch[k] });
    });
    for (const r of await graph.batch(deletes)) {
      if (r.error) failed += 1;
      else deleted += 1;
    }
  }
  return { deleted, failed };
}
