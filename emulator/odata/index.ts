/**
 * OData query options for the emulator's collections: $filter, $orderby, $select and the KQL
 * subset of $search that Exchange accepts on messages.
 *
 * $filter is tokenized (lexer.ts), parsed into an AST (parser.ts), type-checked against an
 * entity schema (schema.ts, typecheck.ts) and only then turned into a predicate (evaluate.ts),
 * so that a request Graph would reject fails here with the same code and text instead of
 * quietly matching nothing. This file is the one door: it exports only what the handlers and
 * tests use.
 */
export { compileFilter } from './evaluate.ts';
export { tokenize } from './lexer.ts';
export { compileMessageQuery } from './message-query.ts';
export { compileOrderBy } from './orderby.ts';
export { groupSchema, mailFolderSchema, messageSchema, userSchema } from './schema.ts';
export { compileSearch } from './search.ts';
export { compileSelect } from './select.ts';
