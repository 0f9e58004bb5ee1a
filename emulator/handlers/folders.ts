import { json } from '../state.ts';
import { effectiveOptions, emptyPagesOf, paginate, parseBool, parseTop, selectFields } from '../paging.ts';
import { compileFilter, mailFolderSchema } from '../odata/index.ts';
import type { FolderRecord } from '../store.ts';
import { collectionUrl, contextUrl, folderOf, mailboxOf, quoteKey, type Handler } from './common.ts';

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
