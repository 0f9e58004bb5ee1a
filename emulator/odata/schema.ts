/**
 * OData stage 0, the schemas: the Edm types of message, mailFolder, user and group properties as
 * Exchange and the directory declare them. Separate because every later stage (type check,
 * $orderby, $select) reads it, and because it is data, not logic: a new property is one line here.
 */

export type EdmPrimitive = 'Edm.String' | 'Edm.DateTimeOffset' | 'Edm.Boolean' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Binary';

export type PropType =
  | { kind: 'primitive'; edm: EdmPrimitive }
  /** Enums compare with string literals (`importance eq 'high'`) as Graph allows. */
  | { kind: 'enum'; name: string }
  | { kind: 'complex'; type: ComplexType }
  | { kind: 'collection'; of: PropType };

export interface ComplexType {
  /** The name Graph prints in "Could not find a property named ... on type '...'". */
  name: string;
  properties: Record<string, PropType>;
}

export interface EntitySchema extends ComplexType {
  /** The error code Graph's URI parser uses for this workload. */
  parseErrorCode: string;
  /** Properties $orderby may not use even though they are primitive. */
  unsortable?: string[];
}

export const prim = (edm: EdmPrimitive): PropType => ({ kind: 'primitive', edm });
export const str = prim('Edm.String');
export const dt = prim('Edm.DateTimeOffset');
export const bool = prim('Edm.Boolean');
const int = prim('Edm.Int32');
const enumOf = (name: string): PropType => ({ kind: 'enum', name });
export const complex = (type: ComplexType): PropType => ({ kind: 'complex', type });
const collection = (of: PropType): PropType => ({ kind: 'collection', of });

const emailAddressType: ComplexType = {
  name: 'Microsoft.OutlookServices.EmailAddress',
  properties: { name: str, address: str },
};
const recipient = complex({ name: 'Microsoft.OutlookServices.Recipient', properties: { emailAddress: complex(emailAddressType) } });
const itemBody = complex({ name: 'Microsoft.OutlookServices.ItemBody', properties: { contentType: enumOf('Microsoft.OutlookServices.BodyType'), content: str } });
const dateTimeTimeZone = complex({ name: 'Microsoft.OutlookServices.DateTimeTimeZone', properties: { dateTime: str, timeZone: str } });

export const messageSchema: EntitySchema = {
  name: 'Microsoft.OutlookServices.Message',
  parseErrorCode: 'RequestBroker--ParseUri',
  unsortable: ['body', 'uniqueBody', 'internetMessageHeaders'],
  properties: {
    id: str,
    createdDateTime: dt,
    lastModifiedDateTime: dt,
    changeKey: str,
    categories: collection(str),
    receivedDateTime: dt,
    sentDateTime: dt,
    hasAttachments: bool,
    internetMessageId: str,
    internetMessageHeaders: collection(complex({ name: 'Microsoft.OutlookServices.InternetMessageHeader', properties: { name: str, value: str } })),
    subject: str,
    bodyPreview: str,
    importance: enumOf('Microsoft.OutlookServices.Importance'),
    parentFolderId: str,
    conversationId: str,
    conversationIndex: prim('Edm.Binary'),
    isDeliveryReceiptRequested: bool,
    isReadReceiptRequested: bool,
    isRead: bool,
    isDraft: bool,
    webLink: str,
    inferenceClassification: enumOf('Microsoft.OutlookServices.InferenceClassificationType'),
    body: itemBody,
    uniqueBody: itemBody,
    sender: recipient,
    from: recipient,
    toRecipients: collection(recipient),
    ccRecipients: collection(recipient),
    bccRecipients: collection(recipient),
    replyTo: collection(recipient),
    flag: complex({
      name: 'Microsoft.OutlookServices.FollowupFlag',
      properties: { flagStatus: enumOf('Microsoft.OutlookServices.FollowupFlagStatus'), startDateTime: dateTimeTimeZone, dueDateTime: dateTimeTimeZone, completedDateTime: dateTimeTimeZone },
    }),
  },
};

export const mailFolderSchema: EntitySchema = {
  name: 'Microsoft.OutlookServices.MailFolder',
  parseErrorCode: 'RequestBroker--ParseUri',
  properties: {
    id: str,
    displayName: str,
    parentFolderId: str,
    childFolderCount: int,
    unreadItemCount: int,
    totalItemCount: int,
    isHidden: bool,
    wellKnownName: str,
    sizeInBytes: prim('Edm.Int64'),
  },
};

export const userSchema: EntitySchema = {
  name: 'microsoft.graph.user',
  parseErrorCode: 'Request_BadRequest',
  properties: {
    id: str,
    displayName: str,
    userPrincipalName: str,
    mail: str,
    givenName: str,
    surname: str,
    jobTitle: str,
    accountEnabled: bool,
    userType: str,
    mailNickname: str,
    otherMails: collection(str),
    proxyAddresses: collection(str),
  },
};

/** group.md: the properties the emulator stores and a `$filter` may name. */
export const groupSchema: EntitySchema = {
  name: 'microsoft.graph.group',
  parseErrorCode: 'Request_BadRequest',
  properties: {
    id: str,
    displayName: str,
    description: str,
    mail: str,
    mailNickname: str,
    mailEnabled: bool,
    securityEnabled: bool,
    groupTypes: collection(str),
    proxyAddresses: collection(str),
    createdDateTime: dt,
  },
};

/** Exchange matches property names case-insensitively; the canonical spelling is kept. */
export function canonicalName(type: ComplexType | undefined, name: string): string | undefined {
  if (!type) return undefined;
  if (name in type.properties) return name;
  const lower = name.toLowerCase();
  return Object.keys(type.properties).find((k) => k.toLowerCase() === lower);
}
