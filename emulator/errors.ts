/**
 * Graph's error responses, as a table of codes. Handlers and the store throw EmulatorError;
 * the server pipeline serialises it as `{"error":{"code","message","innerError":{...}}}`.
 */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const graphErrors = {
  itemNotFound: () =>
    new EmulatorError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.'),
  invalidId: () =>
    new EmulatorError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.'),
  mailboxNotFound: (user: string) =>
    new EmulatorError(404, 'ResourceNotFound', `User not found: ${user}`),
  mailboxNotEnabled: () =>
    new EmulatorError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'),
  userNotFound: (user: string) =>
    new EmulatorError(404, 'Request_ResourceNotFound', `Resource '${user}' does not exist or one of its queried reference-property objects are not present.`),
  accessDenied: () =>
    new EmulatorError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
  /** What Exchange answers an app-only request an application access policy (or RBAC for Applications) keeps out. */
  accessPolicyDenied: () =>
    new EmulatorError(403, 'ErrorAccessDenied', 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.'),
  directoryAccessDenied: () =>
    new EmulatorError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  badRequest: (message: string) => new EmulatorError(400, 'BadRequest', message),
  invalidRequest: (message: string) => new EmulatorError(400, 'ErrorInvalidRequest', message),
  inefficientFilter: () =>
    new EmulatorError(400, 'InefficientFilter', 'The restriction or sort order is too complex for this operation.'),
  unsupportedQuery: (option: string) =>
    new EmulatorError(400, 'BadRequest', `The query option '${option}' is not supported by the emulator for this resource.`),
  invalidToken: (message = 'Access token validation failure. Invalid audience.') =>
    new EmulatorError(401, 'InvalidAuthenticationToken', message),
  throttled: (retryAfterSeconds: number, message = 'Application is over its MailboxConcurrency limit.') =>
    new EmulatorError(429, 'ApplicationThrottled', message, { 'Retry-After': String(retryAfterSeconds) }),
  serviceUnavailable: (retryAfterSeconds?: number) =>
    new EmulatorError(
      503,
      'ServiceUnavailable',
      'Service is temporarily unavailable.',
      retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    ),
  methodNotAllowed: () => new EmulatorError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  routeNotFound: (path: string) =>
    new EmulatorError(400, 'BadRequest', `Resource not found for the segment '${path}'.`),
  /** DELETE of an item in Recoverable Items (microsoft-graph-docs-contrib #7764, msgraph-sdk-dotnet #3047). */
  cannotDelete: () => new EmulatorError(403, 'ErrorCannotDeleteObject', 'Object cannot be deleted.'),
};
