/**
 * Collection paging. `@odata.nextLink` is followed exactly as Graph gave it: it already encodes the
 * original query (and a skip token), so the caller's `query` is sent on the first page only.
 * Headers (e.g. ConsistencyLevel) are re-sent on every page, as Graph requires.
 */
import { GraphError } from './errors.ts';
import type { GraphRequest, GraphResponse } from './types.ts';

type Requester = <T>(req: GraphRequest) => Promise<GraphResponse<T>>;

/** One page of a Graph collection. */
export interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

export async function* paginate<T>(
  request: Requester,
  path: string,
  opts: Omit<GraphRequest, 'method' | 'path' | 'body'> = {},
): AsyncGenerator<T, void, undefined> {
  const { query, ...rest } = opts;
  let next: GraphRequest | undefined = { ...rest, method: 'GET', path, query };
  const seen = new Set<string>();
  while (next) {
    const res: GraphResponse<Page<T>> = await request<Page<T>>(next);
    const page = res.body ?? {};
    if (Array.isArray(page.value)) yield* page.value;
    const link = page['@odata.nextLink'];
    if (typeof link !== 'string' || link === '') return;
    if (seen.has(link)) {
      // A service bug that would otherwise loop forever.
      throw new GraphError({ status: 0, code: 'PagingLoop', message: 'Microsoft Graph returned the same next page link twice; stopping.' });
    }
    seen.add(link);
    next = { ...rest, method: 'GET', path: link };
  }
}
