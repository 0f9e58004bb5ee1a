/** Graph paths for a user / mailbox given by UPN, SMTP address or object id. */

/** `/users/{id}` with the id escaped for a path segment; `@` stays readable as Graph allows it. */
export function userPath(user: string): string {
  return `/users/${encodeURIComponent(user.trim()).replace(/%40/g, '@')}`;
}
