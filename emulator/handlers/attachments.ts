import type { AttachmentRecord, Store } from '../store.ts';

export function attachmentResource(store: Store, a: AttachmentRecord, expandItem: boolean): Record<string, unknown> {
  const common = {
    id: a.id,
    lastModifiedDateTime: a.lastModifiedDateTime,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    isInline: a.isInline,
  };
  if (a.kind === 'item') {
    return {
      '@odata.type': '#microsoft.graph.itemAttachment',
      ...common,
      ...(expandItem ? { item: store.itemResource(a) } : {}),
    };
  }
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    '@odata.mediaContentType': a.contentType,
    ...common,
    contentId: a.contentId ?? null,
    contentLocation: null,
    contentBytes: a.content.toString('base64'),
  };
}
