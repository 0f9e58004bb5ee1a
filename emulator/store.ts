/**
 * The emulated tenant: users, their mail folders and messages. Handlers never touch the maps
 * directly; every change goes through a method here, which enforces the invariants the real
 * service enforces (ids are opaque and change on move, folder names are unique among
 * siblings, a user without a mailbox has no mail routes) and throws the real service's errors.
 */
import { EmulatorError, graphErrors } from './errors.ts';
import {
  conversationIdFor,
  looksLikeFolderId,
  looksLikeItemId,
  newAttachmentId,
  newChangeKey,
  newFolderId,
  newGuid,
  newMessageId,
} from './ids.ts';
import { parseMime, type ParsedMessage } from './mime.ts';

export interface Presence {
  availability: string;
  activity: string;
  statusMessage: unknown;
  outOfOfficeSettings: { message: string | null; isOutOfOffice: boolean };
}

export interface UserRecord {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  mail: string | null;
  preferredLanguage: string;
  hasMailbox: boolean;
  presence: Presence;
  mailboxSettings: Record<string, unknown>;
  /** Senders whose mail goes to Junk Email (lower-cased addresses and `@domain` entries). */
  blockedSenders: Set<string>;
}

export interface FolderRecord {
  id: string;
  mailboxId: string;
  parentId: string;
  displayName: string;
  wellKnownName?: string;
  hidden: boolean;
}

export interface AttachmentRecord {
  id: string;
  kind: 'file' | 'item' | 'reference';
  name: string;
  /** '' for a reference attachment without one (Graph then answers null). */
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  content: Buffer;
  lastModifiedDateTime: string;
  /** The attached email as a Graph message, for `$expand=microsoft.graph.itemattachment/item`. */
  item?: ParsedMessage;
  /** A reference attachment's link to its cloud file (beta `sourceUrl`); it has no content. */
  sourceUrl?: string;
}

export interface MessageRecord {
  id: string;
  mailboxId: string;
  folderId: string;
  /** Graph fields that come from the MIME plus the mutable ones (isRead, flag, categories). */
  fields: Record<string, unknown>;
  raw: Buffer;
  attachments: AttachmentRecord[];
  conversationKey: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  /** Insertion order, to keep sorting stable when dates are equal. */
  seq: number;
}

interface FolderTemplate {
  wellKnownName: string;
  names: Record<string, string>;
  hidden?: boolean;
  /** Folders outside the visible message tree (reachable by well-known name only). */
  outsideRoot?: boolean;
}

const FOLDER_TEMPLATES: FolderTemplate[] = [
  { wellKnownName: 'archive', names: { en: 'Archive', de: 'Archiv', fr: 'Archive' } },
  { wellKnownName: 'conversationhistory', names: { en: 'Conversation History', de: 'Unterhaltungsverlauf', fr: 'Historique des conversations' } },
  { wellKnownName: 'deleteditems', names: { en: 'Deleted Items', de: 'Gelöschte Elemente', fr: 'Éléments supprimés' } },
  { wellKnownName: 'drafts', names: { en: 'Drafts', de: 'Entwürfe', fr: 'Brouillons' } },
  { wellKnownName: 'inbox', names: { en: 'Inbox', de: 'Posteingang', fr: 'Boîte de réception' } },
  { wellKnownName: 'junkemail', names: { en: 'Junk Email', de: 'Junk-E-Mail', fr: 'Courrier indésirable' } },
  { wellKnownName: 'outbox', names: { en: 'Outbox', de: 'Postausgang', fr: 'Boîte d’envoi' } },
  { wellKnownName: 'sentitems', names: { en: 'Sent Items', de: 'Gesendete Elemente', fr: 'Éléments envoyés' } },
  { wellKnownName: 'scheduled', names: { en: 'Scheduled', de: 'Geplant', fr: 'Planifié' }, hidden: true },
  { wellKnownName: 'recoverableitemsdeletions', names: { en: 'Deletions', de: 'Deletions', fr: 'Deletions' }, hidden: true, outsideRoot: true },
];

const LANGUAGES: Record<string, { locale: string; displayName: string }> = {
  en: { locale: 'en-US', displayName: 'English (United States)' },
  de: { locale: 'de-DE', displayName: 'Deutsch (Deutschland)' },
  fr: { locale: 'fr-FR', displayName: 'Français (France)' },
};

export interface NewUser {
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  /** false: a directory user without an Exchange mailbox. */
  mailbox?: boolean;
  /** Language of the mailbox folder names: en (default), de, fr. */
  language?: string;
}

export interface PreparedMessage {
  raw: Buffer;
  parsed: ParsedMessage;
  /** The parsed email of each attachment that is one (`itemAttachment`), by attachment index. */
  items: Array<ParsedMessage | undefined>;
}

export interface NewMessageOptions {
  isRead?: boolean;
  receivedDateTime?: string;
}

export class Store {
  private users = new Map<string, UserRecord>();
  private usersByUpn = new Map<string, UserRecord>();
  private folders = new Map<string, FolderRecord>();
  private roots = new Map<string, FolderRecord>();
  private wellKnown = new Map<string, Map<string, FolderRecord>>();
  private messages = new Map<string, MessageRecord>();
  private byFolder = new Map<string, Set<string>>();
  /** Children by parent id: a tenant of 10,000 mailboxes holds 110,000 folders, too many to scan per request. */
  private childrenOf = new Map<string, FolderRecord[]>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.users.clear();
    this.usersByUpn.clear();
    this.folders.clear();
    this.roots.clear();
    this.wellKnown.clear();
    this.messages.clear();
    this.byFolder.clear();
    this.childrenOf.clear();
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---- users -------------------------------------------------------------------------------

  addUser(input: NewUser): UserRecord {
    const upn = input.userPrincipalName?.trim();
    if (!upn || !/^[^@\s]+@[^@\s]+$/.test(upn)) {
      throw graphErrors.badRequest(`Invalid value specified for property 'userPrincipalName' of resource 'User'.`);
    }
    if (this.usersByUpn.has(upn.toLowerCase())) {
      throw new EmulatorError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
    }
    const language = input.language && LANGUAGES[input.language] ? input.language : 'en';
    const hasMailbox = input.mailbox !== false;
    const local = upn.split('@')[0];
    const user: UserRecord = {
      id: newGuid(),
      userPrincipalName: upn,
      displayName: input.displayName ?? local,
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      jobTitle: input.jobTitle ?? null,
      mail: hasMailbox ? upn : null,
      preferredLanguage: LANGUAGES[language].locale,
      hasMailbox,
      presence: {
        availability: 'Available',
        activity: 'Available',
        statusMessage: null,
        outOfOfficeSettings: { message: null, isOutOfOffice: false },
      },
      mailboxSettings: defaultMailboxSettings(language, this.iso()),
      blockedSenders: new Set(),
    };
    this.users.set(user.id, user);
    this.usersByUpn.set(upn.toLowerCase(), user);
    if (hasMailbox) this.createMailboxFolders(user, language);
    return user;
  }

  /** By object id or UPN, case-insensitively (as Graph resolves `/users/{id | userPrincipalName}`). */
  findUser(idOrUpn: string): UserRecord | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.get(key) ?? this.usersByUpn.get(key);
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }

  /** The user for a mail route; unknown users and users without a mailbox fail as on Graph. */
  mailbox(idOrUpn: string): UserRecord {
    const user = this.findUser(idOrUpn);
    if (!user) {
      throw idOrUpn.includes('@')
        ? new EmulatorError(404, 'ErrorInvalidUser', `The requested user '${idOrUpn}' is invalid.`)
        : new EmulatorError(404, 'ResourceNotFound', 'Resource could not be discovered.');
    }
    if (!user.hasMailbox) throw graphErrors.mailboxNotEnabled();
    return user;
  }

  mailboxAddresses(): string[] {
    return this.listUsers().filter((u) => u.hasMailbox).map((u) => u.userPrincipalName);
  }

  // ---- folders -----------------------------------------------------------------------------

  private createMailboxFolders(user: UserRecord, language: string): void {
    const root: FolderRecord = {
      id: newFolderId(),
      mailboxId: user.id,
      parentId: newFolderId(),
      displayName: 'Top of Information Store',
      wellKnownName: 'msgfolderroot',
      hidden: false,
    };
    this.addFolderRecord(root);
    this.roots.set(user.id, root);
    const known = new Map<string, FolderRecord>([['msgfolderroot', root]]);
    this.wellKnown.set(user.id, known);
    const recoverableRoot = newFolderId();
    for (const t of FOLDER_TEMPLATES) {
      const folder: FolderRecord = {
        id: newFolderId(),
        mailboxId: user.id,
        parentId: t.outsideRoot ? recoverableRoot : root.id,
        displayName: t.names[language] ?? t.names.en,
        wellKnownName: t.wellKnownName,
        hidden: t.hidden === true,
      };
      this.addFolderRecord(folder);
      known.set(t.wellKnownName, folder);
    }
  }

  private addFolderRecord(folder: FolderRecord): void {
    this.folders.set(folder.id, folder);
    this.byFolder.set(folder.id, new Set());
    const siblings = this.childrenOf.get(folder.parentId);
    if (siblings) siblings.push(folder);
    else this.childrenOf.set(folder.parentId, [folder]);
  }

  /** A folder by id or well-known name (case-insensitive), within one mailbox. */
  folder(mailbox: UserRecord, idOrName: string): FolderRecord {
    const known = this.wellKnown.get(mailbox.id)?.get(idOrName.toLowerCase());
    if (known) return known;
    if (!looksLikeFolderId(idOrName)) throw graphErrors.invalidId();
    const folder = this.folders.get(idOrName);
    if (!folder || folder.mailboxId !== mailbox.id) throw graphErrors.itemNotFound();
    return folder;
  }

  rootFolder(mailbox: UserRecord): FolderRecord {
    const root = this.roots.get(mailbox.id);
    if (!root) throw graphErrors.mailboxNotEnabled();
    return root;
  }

  childFolders(parent: FolderRecord, includeHidden: boolean): FolderRecord[] {
    const out = (this.childrenOf.get(parent.id) ?? []).filter((f) => includeHidden || !f.hidden);
    return out.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  createFolder(parent: FolderRecord, displayName: string): FolderRecord {
    const name = displayName.trim();
    if (!name) throw graphErrors.badRequest('The folder name cannot be empty.');
    const clash = this.childFolders(parent, true).some((f) => f.displayName.toLowerCase() === name.toLowerCase());
    if (clash) {
      throw new EmulatorError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const folder: FolderRecord = { id: newFolderId(), mailboxId: parent.mailboxId, parentId: parent.id, displayName: name, hidden: false };
    this.addFolderRecord(folder);
    return folder;
  }

  /**
   * `Inbox/Phishing/2024`: levels split on `/`, matched by display name case-insensitively; the
   * first level may also be a well-known name. Missing levels are created when `create` is set.
   */
  folderByPath(mailbox: UserRecord, path: string, create = false): FolderRecord {
    const parts = path.split('/').map((p) => p.trim()).filter(Boolean);
    if (parts.length === 0) throw graphErrors.badRequest('The folder path is empty.');
    let current = this.rootFolder(mailbox);
    parts.forEach((part, index) => {
      const byName = this.childFolders(current, true).find((f) => f.displayName.toLowerCase() === part.toLowerCase());
      const byWellKnown = index === 0 ? this.wellKnown.get(mailbox.id)?.get(part.toLowerCase()) : undefined;
      const next = byName ?? byWellKnown;
      if (next) {
        current = next;
      } else if (create) {
        current = this.createFolder(current, part);
      } else {
        throw graphErrors.itemNotFound();
      }
    });
    return current;
  }

  folderResource(folder: FolderRecord): Record<string, unknown> {
    let unread = 0;
    let size = 0;
    const ids = this.byFolder.get(folder.id) ?? new Set<string>();
    for (const id of ids) {
      const m = this.messages.get(id);
      if (!m) continue;
      if (m.fields.isRead !== true) unread += 1;
      size += m.raw.length;
    }
    return {
      id: folder.id,
      displayName: folder.displayName,
      parentFolderId: folder.parentId,
      childFolderCount: this.childFolders(folder, true).length,
      unreadItemCount: unread,
      totalItemCount: ids.size,
      sizeInBytes: size,
      isHidden: folder.hidden,
    };
  }

  // ---- messages ----------------------------------------------------------------------------

  /** MIME parsed once; the result can be stored in any number of mailboxes (bulk seeding). */
  async prepareMessage(raw: Buffer): Promise<PreparedMessage> {
    const parsed = await parseMime(raw);
    const items: Array<ParsedMessage | undefined> = [];
    for (const a of parsed.attachments) items.push(a.kind === 'item' ? await parseMime(a.content).catch(() => undefined) : undefined);
    return { raw, parsed, items };
  }

  async addMessage(mailbox: UserRecord, folder: FolderRecord, raw: Buffer, options: NewMessageOptions = {}): Promise<MessageRecord> {
    if (folder.mailboxId !== mailbox.id) throw graphErrors.itemNotFound();
    return this.addPreparedMessage(mailbox, folder, await this.prepareMessage(raw), options);
  }

  addPreparedMessage(mailbox: UserRecord, folder: FolderRecord, prepared: PreparedMessage, options: NewMessageOptions = {}): MessageRecord {
    if (folder.mailboxId !== mailbox.id) throw graphErrors.itemNotFound();
    const { raw, parsed, items } = prepared;
    const attachments: AttachmentRecord[] = parsed.attachments.map((a, i) => ({
      id: newAttachmentId(),
      kind: a.kind,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      isInline: a.isInline,
      contentId: a.contentId,
      content: a.content,
      lastModifiedDateTime: this.iso(),
      item: items[i],
    }));
    // Copies share the parsed nested values (recipients, body): every change goes through
    // updateMessage, which replaces top-level fields and never edits a nested value in place.
    const fields: Record<string, unknown> = { ...parsed.message };
    if (options.receivedDateTime !== undefined) {
      const ms = Date.parse(options.receivedDateTime);
      if (Number.isNaN(ms)) throw graphErrors.badRequest(`Invalid receivedDateTime '${options.receivedDateTime}'.`);
      fields.receivedDateTime = this.iso(ms);
    } else if (typeof fields.receivedDateTime !== 'string') {
      fields.receivedDateTime = this.iso();
    }
    if (typeof fields.sentDateTime !== 'string') fields.sentDateTime = fields.receivedDateTime;
    fields.isRead = options.isRead === true;
    fields.categories = [];
    fields.flag = { flagStatus: 'notFlagged' };
    fields.inferenceClassification = 'focused';
    const now = this.iso();
    const record: MessageRecord = {
      id: newMessageId(),
      mailboxId: mailbox.id,
      folderId: folder.id,
      fields,
      raw,
      attachments,
      conversationKey: parsed.conversationKey,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: newChangeKey(),
      seq: ++this.seq,
    };
    this.insert(record);
    return record;
  }

  private insert(record: MessageRecord): void {
    this.messages.set(record.id, record);
    this.byFolder.get(record.folderId)?.add(record.id);
  }

  private remove(record: MessageRecord): void {
    this.messages.delete(record.id);
    this.byFolder.get(record.folderId)?.delete(record.id);
  }

  message(mailbox: UserRecord, id: string): MessageRecord {
    if (!looksLikeItemId(id)) throw graphErrors.invalidId();
    const m = this.messages.get(id);
    if (!m || m.mailboxId !== mailbox.id) throw graphErrors.itemNotFound();
    return m;
  }

  /** Messages of one folder, or of the whole mailbox (every folder under the root). */
  messagesOf(mailbox: UserRecord, folder?: FolderRecord): MessageRecord[] {
    if (folder) {
      const ids = this.byFolder.get(folder.id) ?? new Set<string>();
      return [...ids].map((id) => this.messages.get(id)).filter((m): m is MessageRecord => m !== undefined);
    }
    const out: MessageRecord[] = [];
    for (const m of this.messages.values()) {
      if (m.mailboxId === mailbox.id && !this.isOutsideRoot(m.folderId)) out.push(m);
    }
    return out;
  }

  private isOutsideRoot(folderId: string): boolean {
    const f = this.folders.get(folderId);
    return f?.wellKnownName === 'recoverableitemsdeletions';
  }

  /** Every message in the tenant with this internetMessageId (angle brackets optional). */
  findByInternetMessageId(internetMessageId: string): MessageRecord[] {
    const wanted = internetMessageId.replace(/^<|>$/g, '').toLowerCase();
    return [...this.messages.values()].filter(
      (m) => String(m.fields.internetMessageId ?? '').replace(/^<|>$/g, '').toLowerCase() === wanted,
    );
  }

  private touch(m: MessageRecord): void {
    m.lastModifiedDateTime = this.iso();
    m.changeKey = newChangeKey();
  }

  updateMessage(m: MessageRecord, patch: Record<string, unknown>): MessageRecord {
    for (const [key, value] of Object.entries(patch)) {
      m.fields[key] = value;
    }
    this.touch(m);
    return m;
  }

  /** Graph gives a moved item a new id; the old id stops resolving. */
  moveMessage(m: MessageRecord, destination: FolderRecord): MessageRecord {
    if (destination.mailboxId !== m.mailboxId) throw graphErrors.itemNotFound();
    this.remove(m);
    const moved: MessageRecord = { ...m, id: newMessageId(), folderId: destination.id, seq: m.seq };
    this.touch(moved);
    this.insert(moved);
    return moved;
  }

  copyMessage(m: MessageRecord, destination: FolderRecord): MessageRecord {
    if (destination.mailboxId !== m.mailboxId) throw graphErrors.itemNotFound();
    const copy: MessageRecord = {
      ...m,
      id: newMessageId(),
      folderId: destination.id,
      fields: structuredClone(m.fields),
      attachments: m.attachments.map((a) => ({ ...a, id: newAttachmentId() })),
      seq: ++this.seq,
    };
    this.touch(copy);
    this.insert(copy);
    return copy;
  }

  /**
   * DELETE moves to Deleted Items (new id); deleting from Deleted Items removes the item.
   * (Real Graph moves it on to Recoverable Items; nothing here reads that folder's content.)
   */
  deleteMessage(mailbox: UserRecord, m: MessageRecord): void {
    const deleted = this.folder(mailbox, 'deleteditems');
    if (m.folderId === deleted.id || this.isInside(m.folderId, deleted.id)) {
      this.remove(m);
    } else {
      this.moveMessage(m, deleted);
    }
  }

  private isInside(folderId: string, ancestorId: string): boolean {
    let f = this.folders.get(folderId);
    for (let depth = 0; f && depth < 64; depth += 1) {
      if (f.parentId === ancestorId) return true;
      f = this.folders.get(f.parentId);
    }
    return false;
  }

  /**
   * Attaches bytes to a stored message without a MIME round trip (the admin API's large
   * attachments). The message's raw MIME (`$value`) is left as it was delivered.
   */
  async addAttachment(
    m: MessageRecord,
    input: { kind: 'file' | 'item' | 'reference'; name: string; contentType: string; content: Buffer; isInline?: boolean; sourceUrl?: string },
  ): Promise<AttachmentRecord> {
    const reference = input.kind === 'reference';
    const record: AttachmentRecord = {
      id: newAttachmentId(),
      kind: input.kind,
      name: input.name,
      contentType: input.contentType,
      // A reference attachment's size is that of the link's metadata on the message, not of the file.
      size: reference ? 256 + Buffer.byteLength(input.name) + Buffer.byteLength(input.sourceUrl ?? '') : input.content.length,
      isInline: input.isInline === true,
      content: input.content,
      lastModifiedDateTime: this.iso(),
      item: input.kind === 'item' ? await parseMime(input.content).catch(() => undefined) : undefined,
      ...(reference ? { sourceUrl: input.sourceUrl } : {}),
    };
    m.attachments = [...m.attachments, record];
    this.touch(m);
    return record;
  }

  attachment(m: MessageRecord, id: string): AttachmentRecord {
    if (!looksLikeItemId(id)) throw graphErrors.invalidId();
    const a = m.attachments.find((x) => x.id === id);
    if (!a) throw graphErrors.itemNotFound();
    return a;
  }

  /** The full Graph message resource (internetMessageHeaders included; handlers drop it unless selected). */
  messageResource(m: MessageRecord): Record<string, unknown> {
    const f = m.fields;
    return {
      '@odata.etag': `W/"${m.changeKey}"`,
      id: m.id,
      createdDateTime: m.createdDateTime,
      lastModifiedDateTime: m.lastModifiedDateTime,
      changeKey: m.changeKey,
      categories: f.categories ?? [],
      receivedDateTime: f.receivedDateTime,
      sentDateTime: f.sentDateTime,
      hasAttachments: m.attachments.some((a) => !a.isInline),
      internetMessageId: f.internetMessageId ?? null,
      subject: f.subject ?? null,
      bodyPreview: f.bodyPreview ?? '',
      importance: f.importance ?? 'normal',
      parentFolderId: m.folderId,
      conversationId: conversationIdFor(m.mailboxId, m.conversationKey),
      conversationIndex: f.conversationIndex ?? null,
      isDeliveryReceiptRequested: f.isDeliveryReceiptRequested ?? false,
      isReadReceiptRequested: f.isReadReceiptRequested ?? false,
      isRead: f.isRead === true,
      isDraft: f.isDraft === true,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(m.id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: f.inferenceClassification ?? 'focused',
      body: f.body ?? { contentType: 'text', content: '' },
      sender: f.sender ?? null,
      from: f.from ?? null,
      toRecipients: f.toRecipients ?? [],
      ccRecipients: f.ccRecipients ?? [],
      bccRecipients: f.bccRecipients ?? [],
      replyTo: f.replyTo ?? [],
      flag: f.flag ?? { flagStatus: 'notFlagged' },
      internetMessageHeaders: f.internetMessageHeaders ?? [],
    };
  }

  /** The Graph resource of an attached email (`itemAttachment.item`), with no id of its own. */
  itemResource(a: AttachmentRecord): Record<string, unknown> | null {
    if (!a.item) return null;
    return {
      '@odata.type': '#microsoft.graph.message',
      id: a.id,
      ...a.item.message,
      hasAttachments: a.item.attachments.some((x) => !x.isInline),
    };
  }
}

function defaultMailboxSettings(language: string, nowIso: string): Record<string, unknown> {
  return {
    archiveFolder: null,
    timeZone: 'UTC',
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      scheduledStartDateTime: { dateTime: nowIso.replace('Z', '.0000000'), timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: nowIso.replace('Z', '.0000000'), timeZone: 'UTC' },
      internalReplyMessage: '',
      externalReplyMessage: '',
    },
    language: LANGUAGES[language] ?? LANGUAGES.en,
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
    userPurpose: 'user',
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: 'UTC' },
    },
  };
}
