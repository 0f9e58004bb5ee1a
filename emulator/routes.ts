/**
 * Every Graph route the emulator serves: method, path pattern, the query options it accepts
 * (anything else is a loud 400) and the application roles that grant it.
 */
import { getFolder, listFolders, patchFolder } from './handlers/folders.ts';
import {
  copyMessage,
  deleteMessage,
  getAttachment,
  getAttachmentValue,
  getMessage,
  getMessageMime,
  listAttachments,
  listMessages,
  moveMessage,
  patchMessage,
  permanentDeleteMessage,
} from './handlers/messages.ts';
import { messageDelta } from './handlers/delta.ts';
import { translateExchangeIds } from './handlers/translate-ids.ts';
import { getAutomaticReplies, getMailboxSettings, getPresence, getUser, listUsers } from './handlers/users.ts';
import { forward, reply, replyAll, sendMail } from './handlers/send.ts';
import {
  getGroup,
  listGroups,
  listMemberGroups,
  listMembers,
  listMemberUsers,
  listTransitiveMemberGroups,
  listTransitiveMembers,
  listTransitiveMemberUsers,
} from './handlers/groups.ts';
import { markAsJunk, markAsNotJunk } from './handlers/junk.ts';
import { createDraft, createForward, createReply, createReplyAll, deleteAttachment, postAttachment, sendDraft } from './handlers/drafts.ts';
import { createUploadSession } from './handlers/attachment-session.ts';
import { honoursIdType, type Handler } from './handlers/common.ts';
import type { GraphVersion } from './state.ts';

export interface Route {
  method: string;
  /** Segments; `:name` captures one segment, literals match case-insensitively. */
  pattern: string[];
  versions: GraphVersion[];
  query: string[];
  /** Any one of these roles grants the route. */
  roles: string[];
  /** A directory object route (users, groups): its 403 is Authorization_RequestDenied, as on Graph. */
  directory?: boolean;
  handler: Handler;
}

const MAIL_READ = ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All', 'Mail.ReadBasic'];
const MAIL_WRITE = ['Mail.ReadWrite'];
const USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const SETTINGS = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'];
const SEND = ['Mail.Send'];
const PRESENCE = ['Presence.Read.All', 'Presence.ReadWrite.All'];
/** user-translateexchangeids.md: application permissions User.Read.All, User.ReadWrite.All. */
const TRANSLATE = ['User.Read.All', 'User.ReadWrite.All'];

/** group-list.md, group-get.md: application permissions. */
const GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
/** group-list-members.md, group-list-transitivemembers.md: application permissions (no Directory.ReadWrite.All listed). */
const GROUP_MEMBERS = ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All'];

const BOTH: GraphVersion[] = ['v1.0', 'beta'];
const LIST_MESSAGES = ['$top', '$skip', '$select', '$orderby', '$filter', '$search', '$count', '$skiptoken'];
const LIST_DIRECTORY = ['$select', '$top', '$filter', '$count', '$skiptoken'];
/** No `$filter` on members: the docs allow it with advanced query parameters only, which the emulator does not model. */
const LIST_MEMBERS = ['$select', '$top', '$count', '$skiptoken'];
const LIST_FOLDERS = ['$top', '$skip', '$select', '$filter', '$count', '$skiptoken', 'includeHiddenFolders'];

function p(path: string): string[] {
  return path.split('/');
}

/** message-delta.md: `$select`, `$top`, `$filter` and `$orderby` (limited), `changeType`, and the state tokens. */
const MESSAGE_DELTA = ['$select', '$filter', '$orderby', '$top', 'changeType', '$skiptoken', '$deltatoken'];

/**
 * Message delta, per folder (id or well-known name); `microsoft.graph.delta` is the name the SDKs
 * write for `delta` (delta-query-overview.md). Ahead of the item routes, whose `:message` would take `delta`.
 */
const DELTA_ROUTES: Route[] = ['delta', 'microsoft.graph.delta'].map((fn) => ({
  method: 'GET',
  pattern: p(`users/:user/mailFolders/:folder/messages/${fn}`),
  versions: BOTH,
  query: MESSAGE_DELTA,
  roles: MAIL_READ,
  handler: honoursIdType(messageDelta),
}));

const MESSAGE_ROOTS = ['users/:user', 'users/:user/mailFolders/:folder'];

/** Every route that answers or takes message and attachment ids honours `Prefer: IdType`. */
function messageRoutes(root: string): Route[] {
  const m = `${root}/messages/:message`;
  const routes: Route[] = [
    { method: 'GET', pattern: p(`${root}/messages`), versions: BOTH, query: LIST_MESSAGES, roles: MAIL_READ, handler: listMessages },
    // user-post-messages.md: a draft (Drafts, or the folder of the path); Mail.ReadWrite.
    { method: 'POST', pattern: p(`${root}/messages`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: createDraft },
    { method: 'GET', pattern: p(m), versions: BOTH, query: ['$select', '$expand'], roles: MAIL_READ, handler: getMessage },
    { method: 'PATCH', pattern: p(m), versions: BOTH, query: [], roles: MAIL_WRITE, handler: patchMessage },
    { method: 'DELETE', pattern: p(m), versions: BOTH, query: [], roles: MAIL_WRITE, handler: deleteMessage },
    { method: 'POST', pattern: p(`${m}/permanentDelete`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: permanentDeleteMessage },
    { method: 'GET', pattern: p(`${m}/$value`), versions: BOTH, query: [], roles: MAIL_READ, handler: getMessageMime },
    { method: 'POST', pattern: p(`${m}/move`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: moveMessage },
    { method: 'POST', pattern: p(`${m}/copy`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: copyMessage },
    { method: 'POST', pattern: p(`${m}/reply`), versions: BOTH, query: [], roles: SEND, handler: reply },
    { method: 'POST', pattern: p(`${m}/replyAll`), versions: BOTH, query: [], roles: SEND, handler: replyAll },
    { method: 'POST', pattern: p(`${m}/forward`), versions: BOTH, query: [], roles: SEND, handler: forward },
    { method: 'POST', pattern: p(`${m}/send`), versions: BOTH, query: [], roles: SEND, handler: sendDraft },
    // message-createreply.md, -createreplyall.md, -createforward.md: Mail.ReadWrite (a draft is written, nothing sent).
    { method: 'POST', pattern: p(`${m}/createReply`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: createReply },
    { method: 'POST', pattern: p(`${m}/createReplyAll`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: createReplyAll },
    { method: 'POST', pattern: p(`${m}/createForward`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: createForward },
    { method: 'POST', pattern: p(`${m}/attachments`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: postAttachment },
    { method: 'POST', pattern: p(`${m}/attachments/createUploadSession`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: createUploadSession },
    // Documented for beta only, yet v1.0 answers them too (see handlers/junk.ts).
    { method: 'POST', pattern: p(`${m}/markAsJunk`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: markAsJunk },
    { method: 'POST', pattern: p(`${m}/markAsNotJunk`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: markAsNotJunk },
    { method: 'GET', pattern: p(`${m}/attachments`), versions: BOTH, query: ['$expand', '$select'], roles: MAIL_READ, handler: listAttachments },
    { method: 'GET', pattern: p(`${m}/attachments/:attachment`), versions: BOTH, query: ['$expand', '$select'], roles: MAIL_READ, handler: getAttachment },
    { method: 'GET', pattern: p(`${m}/attachments/:attachment/$value`), versions: BOTH, query: [], roles: MAIL_READ, handler: getAttachmentValue },
    { method: 'DELETE', pattern: p(`${m}/attachments/:attachment`), versions: BOTH, query: [], roles: MAIL_WRITE, handler: deleteAttachment },
  ];
  return routes.map((r) => ({ ...r, handler: honoursIdType(r.handler) }));
}

export const ROUTES: Route[] = [
  { method: 'GET', pattern: p('users'), versions: BOTH, query: ['$select', '$top', '$filter', '$count', '$skiptoken'], roles: USERS, directory: true, handler: listUsers },
  { method: 'GET', pattern: p('users/:user'), versions: BOTH, query: ['$select'], roles: USERS, directory: true, handler: getUser },
  { method: 'GET', pattern: p('groups'), versions: BOTH, query: LIST_DIRECTORY, roles: GROUPS, directory: true, handler: listGroups },
  { method: 'GET', pattern: p('groups/:group'), versions: BOTH, query: ['$select'], roles: GROUPS, directory: true, handler: getGroup },
  { method: 'GET', pattern: p('groups/:group/members'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listMembers },
  { method: 'GET', pattern: p('groups/:group/members/microsoft.graph.user'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listMemberUsers },
  { method: 'GET', pattern: p('groups/:group/members/microsoft.graph.group'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listMemberGroups },
  { method: 'GET', pattern: p('groups/:group/transitiveMembers'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listTransitiveMembers },
  { method: 'GET', pattern: p('groups/:group/transitiveMembers/microsoft.graph.user'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listTransitiveMemberUsers },
  { method: 'GET', pattern: p('groups/:group/transitiveMembers/microsoft.graph.group'), versions: BOTH, query: LIST_MEMBERS, roles: GROUP_MEMBERS, directory: true, handler: listTransitiveMemberGroups },
  { method: 'GET', pattern: p('users/:user/mailFolders'), versions: BOTH, query: LIST_FOLDERS, roles: MAIL_READ, handler: listFolders },
  { method: 'GET', pattern: p('users/:user/mailFolders/:folder'), versions: BOTH, query: ['$select'], roles: MAIL_READ, handler: getFolder },
  { method: 'PATCH', pattern: p('users/:user/mailFolders/:folder'), versions: BOTH, query: [], roles: MAIL_WRITE, handler: patchFolder },
  { method: 'GET', pattern: p('users/:user/mailFolders/:folder/childFolders'), versions: BOTH, query: LIST_FOLDERS, roles: MAIL_READ, handler: listFolders },
  ...DELTA_ROUTES,
  ...MESSAGE_ROOTS.flatMap(messageRoutes),
  { method: 'POST', pattern: p('users/:user/sendMail'), versions: BOTH, query: [], roles: SEND, handler: sendMail },
  { method: 'POST', pattern: p('users/:user/translateExchangeIds'), versions: BOTH, query: [], roles: TRANSLATE, handler: translateExchangeIds },
  { method: 'GET', pattern: p('users/:user/presence'), versions: BOTH, query: [], roles: PRESENCE, handler: getPresence },
  { method: 'GET', pattern: p('users/:user/mailboxSettings'), versions: BOTH, query: [], roles: SETTINGS, handler: getMailboxSettings },
  { method: 'GET', pattern: p('users/:user/mailboxSettings/automaticRepliesSetting'), versions: BOTH, query: [], roles: SETTINGS, handler: getAutomaticReplies },
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * The route for a method and path. Unknown paths answer 400 "Resource not found for the
 * segment" (as Graph does); a known path with another method answers 405.
 */
export function matchRoute(method: string, version: GraphVersion, segments: string[]): RouteMatch | 'method' | undefined {
  let pathMatched = false;
  for (const route of ROUTES) {
    if (!route.versions.includes(version)) continue;
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method' : undefined;
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i];
    const got = segments[i];
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      params[want.slice(1)] = got;
    } else if (want.toLowerCase() !== got.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** The first segment Graph would not recognise, for the 400 message. */
export function unknownSegment(segments: string[]): string {
  const known = new Set(ROUTES.flatMap((r) => r.pattern.filter((s) => !s.startsWith(':')).map((s) => s.toLowerCase())));
  for (let i = 0; i < segments.length; i += 1) {
    const s = segments[i];
    const isParam = i > 0 && ['users', 'groups', 'mailfolders', 'messages', 'attachments', 'childfolders'].includes(segments[i - 1].toLowerCase());
    if (!isParam && !known.has(s.toLowerCase())) return s;
  }
  return segments[segments.length - 1] ?? '';
}
