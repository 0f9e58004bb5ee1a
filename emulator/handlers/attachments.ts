import { EmulatorError } from '../errors.ts';
import type { AttachmentRecord, Store } from '../store.ts';

/** `id`: the attachment's id in the form the request asked for (REST by default, or immutable). */
export function attachmentResource(store: Store, a: AttachmentRecord, expandItem: boolean, beta = false, id: string = a.id): Record<string, unknown> {
  const common = {
    id,
    lastModifiedDateTime: a.lastModifiedDateTime,
    name: a.name,
    contentType: a.contentType === '' ? null : a.contentType,
    size: a.size,
    isInline: a.isInline,
  };
  if (a.kind === 'item') {
    return {
      '@odata.type': '#microsoft.graph.itemAttachment',
      ...common,
      ...(expandItem ? { item: store.itemResource(a, id) } : {}),
    };
  }
  if (a.kind === 'reference') {
    // v1.0 has only the base properties (referenceattachment.md); beta adds the link.
    return {
      '@odata.type': '#microsoft.graph.referenceAttachment',
      ...common,
      ...(beta ? { sourceUrl: a.sourceUrl ?? null, providerType: 'oneDriveBusiness', permission: 'view', isFolder: false } : {}),
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

/** Properties of the base `attachment` type: the only ones `$select` takes without a type cast. */
const SELECTABLE = ['id', 'lastModifiedDateTime', 'name', 'contentType', 'size', 'isInline'];

/**
 * The names of a `$select` on attachments. Graph selects on the base type, so `contentBytes`
 * (a fileAttachment property) is a 400 there; that is what lets a client list big attachments
 * without pulling their bytes.
 */
export function parseAttachmentSelect(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const names = value.split(',').map((x) => x.trim()).filter(Boolean);
  for (const n of names) {
    const hit = SELECTABLE.find((s) => s.toLowerCase() === n.toLowerCase());
    if (!hit) throw new EmulatorError(400, 'RequestBroker--ParseUri', `Could not find a property named '${n}' on type 'microsoft.graph.attachment'.`);
  }
  return names.map((n) => SELECTABLE.find((s) => s.toLowerCase() === n.toLowerCase())!);
}

/** `@odata.type` always stays (Graph returns it with any `$select`), and `id` too. */
export function selectAttachment(resource: Record<string, unknown>, names: string[] | undefined): Record<string, unknown> {
  if (!names) return resource;
  const out: Record<string, unknown> = { '@odata.type': resource['@odata.type'], id: resource.id };
  for (const n of names) out[n] = resource[n];
  return out;
}
