/**
 * The errors every OData stage throws, with Graph's texts; the code of a URI error depends on
 * the workload (Exchange vs the directory), which the schema carries. Separate so the lexer,
 * parser, type check and query compilers all fail with one spelling.
 */
import { EmulatorError } from '../errors.ts';
import type { EntitySchema } from './schema.ts';

export function filterSyntaxError(message: string): EmulatorError {
  return new EmulatorError(400, 'BadRequest', `Invalid filter clause: ${message}`);
}

export function parseUriError(schema: EntitySchema | undefined, message: string): EmulatorError {
  return new EmulatorError(400, schema?.parseErrorCode ?? 'BadRequest', message);
}

export function unknownProperty(schema: EntitySchema | undefined, name: string, typeName: string): EmulatorError {
  return parseUriError(schema, `Could not find a property named '${name}' on type '${typeName}'.`);
}

export const odataErrors = {
  inefficientFilter: () =>
    new EmulatorError(400, 'InefficientFilter', 'The restriction or sort order is too complex for this operation.'),
  searchWithFilter: () =>
    new EmulatorError(400, 'SearchWithFilter', "The query parameter '$filter' is not supported with '$search'."),
  searchWithOrderBy: () =>
    new EmulatorError(400, 'SearchWithOrderBy', "The query parameter '$orderBy' is not supported with '$search'."),
};
