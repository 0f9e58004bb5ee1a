import { json } from '../state.ts';
import { effectiveOptions, emptyPagesOf, paginate, parseBool, parseTop, selectFields } from '../paging.ts';
import { compileFilter, mailFolderSchema } from '../odata/index.ts';
import type { FolderRecord } from '../store.ts';
import { EmulatorError } from '../errors.ts';
import { collectionUrl, contextUrl, folderOf, mailboxOf, quoteKey, readJson, type Handler } from './common.ts';

const FOLDER_FIELDS = ['id', 'displayName', 'parentFolderId', 'childFolderCount', 'unreadItemCount', 'totalItemCount', 'sizeInBytes', 'isHidden'];

/** `mailFolders` (children of the root) and `mailFolders/{id}/childFolders`. */
export const listFolders: Handler = (ctx) => {
  const store = ctx.state.store;
  const mailbox = mailboxOf(ctx);
  const parent = folderOf(ctx, mailbox) ?? store.rootFolder(mailbox);
  const { options, skip, emptyServed } = effectiveOptions(ctx.req);
  const top = parseTop(options.$top, 10, 1000);
  let folders: FolderRecord[] = store.childFolders(parent, parseBool('includeHiddenFolders', options.includeHiddenFolders));
  if (options.$filter !== undefined) {
    const test = compileFilter(options.$filter, mailFolderSchema);
    folders = folders.filter((f) => test({ ...store.folderResource(f), wellKnownName: f.wellKnownName ?? null }));
  }
  const page = paginate(folders, options, skip, top, collectionUrl(ctx), emptyPagesOf(ctx.state, emptyServed));
  const where = ctx.params.folder === undefined ? 'mailFolders' : `mailFolders(${quoteKey(ctx.params.folder)})/childFolders`;
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/${where}`),
    ...(parseBool('$count', options.$count) ? { '@odata.count': page.count } : {}),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((f) => selectFields(store.folderResource(f), options.$select, FOLDER_FIELDS)),
  });
};

export const getFolder: Handler = (ctx) => {
  const mailbox = mailboxOf(ctx);
  const folder = folderOf(ctx, mailbox)!;
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/mailFolders/$entity`),
    ...selectFields(ctx.state.store.folderResource(folder), ctx.req.query.get('$select') ?? undefined, FOLDER_FIELDS),
  });
};

/** mailfolder-update.md: only displayName can be updated; 200 with the folder. */
export const patchFolder: Handler = (ctx) => {
  const mailbox = mailboxOf(ctx);
  const folder = folderOf(ctx, mailbox)!;
  const patch = readJson(ctx.req);
  for (const [key, value] of Object.entries(patch)) {
    if (key !== 'displayName') throw new EmulatorError(400, 'RequestBodyRead', `The property '${key}' does not exist on type 'microsoft.graph.mailFolder' or cannot be updated.`);
    if (typeof value !== 'string') throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${JSON.stringify(value)}' to the expected type of property '${key}'.`);
  }
  if (typeof patch.displayName === 'string') ctx.state.store.renameFolder(folder, patch.displayName);
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/mailFolders/$entity`),
    ...ctx.state.store.folderResource(folder),
  });
};
