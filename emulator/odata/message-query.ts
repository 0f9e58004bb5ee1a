/**
 * The query options of a message list as one compiled query: $filter, $search, $orderby and
 * $select together, with Exchange's rules about combining them ($search excludes $filter and
 * $orderby; $orderby properties must lead the $filter). Separate because these rules are about
 * messages only; folders and users use the single compilers directly.
 */
import { odataErrors } from './errors.ts';
import { compileFilterDetailed } from './evaluate.ts';
import { compileOrderBy, parseOrderBy } from './orderby.ts';
import { messageSchema } from './schema.ts';
import { compileSearch } from './search.ts';
import { compileSelect } from './select.ts';

export interface MessageQuery {
  filter?: string;
  orderby?: string;
  search?: string;
  select?: string;
}

export interface CompiledMessageQuery {
  /** $filter and $search together. */
  matches(msg: Record<string, unknown>): boolean;
  /** From $orderby; undefined when absent (the caller applies Graph's default order). */
  compare?(a: Record<string, unknown>, b: Record<string, unknown>): number;
  /** $select; always keeps id and @odata.etag. */
  project(msg: Record<string, unknown>): Record<string, unknown>;
}

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

export function compileMessageQuery(q: MessageQuery): CompiledMessageQuery {
  if (present(q.search)) {
    if (present(q.filter)) throw odataErrors.searchWithFilter();
    if (present(q.orderby)) throw odataErrors.searchWithOrderBy();
  }
  const filter = present(q.filter) ? compileFilterDetailed(q.filter, messageSchema) : undefined;
  const compare = present(q.orderby) ? compileOrderBy(q.orderby, messageSchema) : undefined;
  if (filter && present(q.orderby)) {
    assertEfficientFilter(filter.properties, parseOrderBy(q.orderby, messageSchema).map((k) => k.path.join('/')));
  }
  const search = present(q.search) ? compileSearch(q.search) : undefined;
  const project = present(q.select) ? compileSelect(q.select, messageSchema) : (m: Record<string, unknown>) => m;
  const result: CompiledMessageQuery = {
    matches: (msg) => (filter ? filter.predicate(msg) : true) && (search ? search(msg) : true),
    project,
  };
  if (compare) result.compare = compare;
  return result;
}

/**
 * Exchange's rule for $filter with $orderby on messages: the $orderby properties must be
 * the first properties the $filter mentions, in the same order.
 */
function assertEfficientFilter(filterProps: string[], orderProps: string[]): void {
  const filterTops = [...new Set(filterProps.map((p) => p.split('/')[0]!))];
  const orderTops = orderProps.map((p) => p.split('/')[0]!);
  for (let i = 0; i < orderTops.length; i++) {
    if (filterTops[i] !== orderTops[i]) throw odataErrors.inefficientFilter();
  }
}
