import { describe, expect, it } from 'vitest';
import { createGraphClient, GraphError } from '../../src/graph/index.ts';
import { baseOptions, json, scripted } from './helpers.ts';

describe('paginate', () => {
  it('follows @odata.nextLink exactly as given over 3 pages without re-sending the query', async () => {
    const next1 = "https://graph.test/v1.0/users/a@x.test/messages?%24filter=subject+eq+'x'&%24top=2&%24skip=2";
    const next2 = "https://graph.test/v1.0/users/a@x.test/messages?%24filter=subject+eq+'x'&%24top=2&%24skip=4";
    const t = scripted((_req, n) => {
      if (n === 1) return json(200, { value: [1, 2], '@odata.nextLink': next1 });
      if (n === 2) return json(200, { value: [3, 4], '@odata.nextLink': next2 });
      return json(200, { value: [5] });
    });
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const out: number[] = [];
    for await (const v of c.paginate<number>('/users/a@x.test/messages', {
      query: { $filter: "subject eq 'x'", $top: 2 },
      headers: { ConsistencyLevel: 'eventual' },
    })) out.push(v);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(t.calls.map((c) => c.url)).toEqual([
      "https://graph.test/v1.0/users/a@x.test/messages?$filter=subject%20eq%20'x'&$top=2",
      next1,
      next2,
    ]);
    expect(t.calls.every((c) => c.headers.ConsistencyLevel === 'eventual')).toBe(true);
  });

  it('keeps following nextLinks past empty pages, a leading and a trailing one included', async () => {
    const link = (n: number) => `https://graph.test/v1.0/users/a@x.test/messages?$skiptoken=p${n}`;
    const pages = [
      { value: [], '@odata.nextLink': link(1) },
      { value: [1], '@odata.nextLink': link(2) },
      { value: [], '@odata.nextLink': link(3) },
      { '@odata.nextLink': link(4) },
      { value: [2, 3], '@odata.nextLink': link(5) },
      { value: [] },
    ];
    const t = scripted((_req, n) => json(200, pages[n - 1]));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const out: number[] = [];
    for await (const v of c.paginate<number>('/users/a@x.test/messages')) out.push(v);
    expect(out).toEqual([1, 2, 3]);
    expect(t.calls).toHaveLength(6);
  });

  it('refuses a nextLink to another origin and never sends the token there', async () => {
    const t = scripted((_req, n) =>
      n === 1 ? json(200, { value: [1], '@odata.nextLink': 'https://evil.test/v1.0/users/a/messages?$skip=1' }) : json(200, { value: [2] }),
    );
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const seen: number[] = [];
    const err = await (async () => {
      for await (const v of c.paginate<number>('/users/a@x.test/messages')) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1]);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).code).toBe('UntrustedUrl');
    expect(t.calls).toHaveLength(1);
  });
});
