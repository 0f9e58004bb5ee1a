/**
 * Microsoft Graph resources as this integration reads them, on Microsoft's own types
 * (`@microsoft/microsoft-graph-types`, the v1.0 model). The package has types and no JavaScript,
 * and is a devDependency: it is only ever imported with `import type` (ESLint refuses anything
 * else), so nothing of it exists in dist/.
 *
 * A read with `$select` is typed with exactly the selected properties, so code cannot read one it
 * did not ask for. Each stays optional and nullable as Microsoft types it: Graph's examples show
 * unset properties as null (message-markasjunk.md: `"isDeliveryReceiptRequested": null`), but no
 * document promises that a selected property is always sent, and the emulator leaves unset ones
 * out. Only `id`, which Graph always sends, is made certain. These types describe Graph's answers,
 * they do not check them: code still tests a property before it relies on it.
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';

/** `T` narrowed to the properties `K` a `$select` names, with its `id` certain. */
export type Selected<T extends { id?: string }, K extends keyof T> = Pick<T, K> & { id: string };

/** OData annotations Graph puts on a resource (`@odata.context`, `@odata.etag`, `@odata.type`). */
export interface ODataAnnotations {
  '@odata.context'?: string;
  '@odata.etag'?: string;
  '@odata.type'?: string;
}

export type Recipient = MicrosoftGraph.Recipient;
export type EmailAddress = MicrosoftGraph.EmailAddress;

/** Navigation properties of a message: expanded, never `$select`ed. */
type MessageNavigation = 'attachments' | 'extensions' | 'multiValueExtendedProperties' | 'singleValueExtendedProperties';

/** The message properties a `$select` may name. */
export type MessageField = Exclude<keyof MicrosoftGraph.Message, MessageNavigation>;

/** A message as any read returns it (Graph's default properties, or a `$select`): its `id` is always there. */
export type GraphMessage = MicrosoftGraph.Message & { id: string };

/** A message read with `$select` of the fields `K`: those (and `id`) only. */
export type SelectedMessage<K extends MessageField> = Selected<MicrosoftGraph.Message, K>;

/** A mail folder read with `$select` of `K` (and `id`). */
export type SelectedFolder<K extends keyof MicrosoftGraph.MailFolder = never> = Selected<MicrosoftGraph.MailFolder, K>;

/** The attachment properties the listing selects (ATTACHMENT_LIST_SELECT: those of the base type; src/mail/attachments.ts says why). */
export type AttachmentListField = 'id' | 'name' | 'contentType' | 'size' | 'isInline' | 'lastModifiedDateTime';

/**
 * One row of a message's attachment listing: a file, item or reference attachment, told apart by
 * `@odata.type` (`#microsoft.graph.fileAttachment`, `...itemAttachment`, `...referenceAttachment`),
 * which Graph sends with any `$select`.
 */
export type ListedAttachment = Selected<MicrosoftGraph.Attachment, AttachmentListField> & ODataAnnotations;

/** A user read with `$select` of `K` (and `id`). */
export type SelectedUser<K extends keyof MicrosoftGraph.User = never> = Selected<MicrosoftGraph.User, K>;

/** A user's presence (`GET /users/{id}/presence`, beta), as Graph sends it. */
export type Presence = MicrosoftGraph.Presence & ODataAnnotations;
