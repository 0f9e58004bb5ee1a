/**
 * The emulated tenant: users, their mail folders and messages. Handlers never touch the maps
 * directly; every change goes through a method here, which enforces the invariants the real
 * service enforces (ids are opaque and change on move, folder names are unique among
 * siblings, a user without a mailbox has no mail routes) and throws the real service's errors.
 */
import { EmulatorError, graphErrors } from './errors.ts';
import {
  attachmentId,
  decodeEntryId,
  encodeEntryId,
  entryOfImmutableId,
  entryOfRestId,
  ewsIdOf,
  idKey,
  immutableIdFromEntry,
  isImmutableId,
  looksLikeFolderId,
  looksLikeItemId,
  MailboxIds,
  newAttachmentKey,
  newChangeKey,
  newGuid,
  restIdOfEws,
  type IdType,
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
  /**
   * Exchange's addresses of the mailbox, `SMTP:` (upper case) marking the primary one, `smtp:` the
   * aliases, as Graph's `proxyAddresses` lists them. Empty for a user without a mailbox.
   */
  proxyAddresses: string[];
  preferredLanguage: string;
  hasMailbox: boolean;
  presence: Presence;
  mailboxSettings: Record<string, unknown>;
  /** Senders whose mail goes to Junk Email (lower-cased addresses and `@domain` entries). */
  blockedSenders: Set<string>;
}

/**
 * A directory group that mail can reach (a distribution list, or a mail-enabled security group);
 * without `mail` a security group that only nests.
 */
export interface GroupRecord {
  id: string;
  displayName: string;
  mail: string | null;
  mailNickname: string;
  /** `SMTP:` the primary (mail), `smtp:` the aliases, as for users. */
  proxyAddresses: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  /** Direct members: user ids and group ids. */
  memberIds: string[];
  createdDateTime: string;
}

export interface NewGroup {
  displayName: string;
  mail?: string;
  /** Aliases: `alias@x` or `smtp:alias@x`. */
  proxyAddresses?: string[];
  securityEnabled?: boolean;
  /** Object ids of users and groups already in the store. */
  memberIds: string[];
}

export interface FolderRecord {
  id: string;
  mailboxId: string;
  parentId: string;
  displayName: string;
  wellKnownName?: string;
  hidden: boolean;
  /** The folder's global counter: part of its id and of the REST id of every message in it. */
  counter: number;
  /** Not reachable through Graph at all (the dumpster's Purges folder). */
  internal?: boolean;
}

export interface AttachmentRecord {
  /** Under the message's current REST id (it changes when the message moves). */
  id: string;
  /** The attachment's own part of its ids, REST and immutable alike. */
  key: Buffer;
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
  /** The REST id: changes whenever the message moves. */
  id: string;
  /** `Prefer: IdType="ImmutableId"`: the same for the message's whole life in this mailbox. */
  immutableId: string;
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
  /** The store's change sequence when the message came into its current folder (created, copied or moved in). */
  arrived: number;
  /** The store's change sequence at the message's last change in its current folder (arrival included). */
  changed: number;
}

/** A message that left a folder (moved out, deleted, purged), for message delta (handlers/delta.ts). */
export interface Tombstone {
  /** The change sequence of the removal. */
  seq: number;
  /** Its REST id while it was in the folder. */
  id: string;
  immutableId: string;
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

/** Outside the message tree: soft-deleted items (Deletions) and permanently deleted ones (Purges). */
const DUMPSTER = new Set(['recoverableitemsdeletions', 'recoverableitemspurges']);

/** Where permanentDelete puts a message: Exchange's name for it, not a Graph well-known name (only the admin API shows it). */
const PURGES = 'recoverableitemspurges';

/** The formats of translateExchangeIds (exchangeIdFormat). */
export const EXCHANGE_ID_FORMATS = ['entryId', 'ewsId', 'immutableEntryId', 'restId', 'restImmutableEntryId'] as const;
export type ExchangeIdFormat = (typeof EXCHANGE_ID_FORMATS)[number];

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
  /** Aliases: `alias@x` or `smtp:alias@x` (the UPN is always the primary `SMTP:` address). */
  proxyAddresses?: string[];
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
  /** By lower-cased proxy address (`smtp:alias@x`): the directory keeps each one unique. */
  private usersByProxy = new Map<string, UserRecord>();
  private groups = new Map<string, GroupRecord>();
  /** Shares the uniqueness of usersByProxy: an address is a user's or a group's, never both. */
  private groupsByProxy = new Map<string, GroupRecord>();
  private folders = new Map<string, FolderRecord>();
  private roots = new Map<string, FolderRecord>();
  private wellKnown = new Map<string, Map<string, FolderRecord>>();
  private messages = new Map<string, MessageRecord>();
  /** `mailboxId root` -> conversation key: the 22-byte header block of a Thread-Index names a conversation. */
  private threadRoots = new Map<string, string>();
  private byImmutable = new Map<string, MessageRecord>();
  private idSpaces = new Map<string, MailboxIds>();
  private purges = new Map<string, FolderRecord>();
  private byFolder = new Map<string, Set<string>>();
  /** Children by parent id: a tenant of 10,000 mailboxes holds 110,000 folders, too many to scan per request. */
  private childrenOf = new Map<string, FolderRecord[]>();
  private seq = 0;
  /**
   * The change log of message delta: one sequence for the whole store, stamped on a message each
   * time it arrives in a folder or changes there, and on each tombstone a removal leaves behind.
   * Never reset, so a state token can never name a sequence that is reused.
   */
  private changeSeq = 0;
  private tombstones = new Map<string, Tombstone[]>();
  /** Bumped by reset(): state tokens of an earlier tenant are gone. */
  private epoch = 0;

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.users.clear();
    this.usersByUpn.clear();
    this.usersByProxy.clear();
    this.groups.clear();
    this.groupsByProxy.clear();
    this.folders.clear();
    this.roots.clear();
    this.wellKnown.clear();
    this.messages.clear();
    this.byImmutable.clear();
    this.threadRoots.clear();
    this.idSpaces.clear();
    this.purges.clear();
    this.byFolder.clear();
    this.childrenOf.clear();
    this.tombstones.clear();
    this.epoch += 1;
  }

  /** The last change sequence stamped (handlers/delta.ts). */
  changeSequence(): number {
    return this.changeSeq;
  }

  /** Which tenant the store holds: every reset makes a new one. */
  tenantEpoch(): number {
    return this.epoch;
  }

  /** The messages that left this folder, oldest first. */
  tombstonesOf(folder: FolderRecord): readonly Tombstone[] {
    return this.tombstones.get(folder.id) ?? [];
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
    const proxyAddresses = this.proxyAddressesOf(upn, hasMailbox, input.proxyAddresses);
    const local = upn.split('@')[0];
    const user: UserRecord = {
      id: newGuid(),
      userPrincipalName: upn,
      displayName: input.displayName ?? local,
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      jobTitle: input.jobTitle ?? null,
      mail: hasMailbox ? upn : null,
      proxyAddresses,
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
    for (const proxy of proxyAddresses) this.usersByProxy.set(proxy.toLowerCase(), user);
    if (hasMailbox) this.createMailboxFolders(user, language);
    return user;
  }

  /**
   * A new user's proxyAddresses, checked against every other user's before anything is stored:
   * the primary `SMTP:upn` for a mailbox, then the aliases asked for (a bare address is `smtp:`;
   * other types such as `X500:` or `SIP:` are kept as given, for clients that must skip them).
   */
  private proxyAddressesOf(upn: string, hasMailbox: boolean, aliases: unknown[] = []): string[] {
    const invalid = () => graphErrors.badRequest(`Invalid value specified for property 'proxyAddresses' of resource 'User'.`);
    const out = hasMailbox ? [`SMTP:${upn}`] : [];
    for (const alias of aliases) {
      if (typeof alias !== 'string') throw invalid();
      const typed = /^([A-Za-z0-9]+):(.*)$/.exec(alias.trim());
      const type = typed ? typed[1] : 'smtp';
      const value = (typed ? typed[2] : alias).trim();
      if (!value) throw invalid();
      let proxy = `${type}:${value}`;
      if (type.toLowerCase() === 'smtp') {
        if (!/^[^@\s]+@[^@\s]+$/.test(value)) throw invalid();
        // The emulator keeps mail, the UPN and the primary address one value (its sender address).
        if (type === 'SMTP' && value.toLowerCase() !== upn.toLowerCase()) {
          throw graphErrors.badRequest(`The primary SMTP address is the userPrincipalName '${upn}' in the emulator; give aliases as 'smtp:${value}' or '${value}'.`);
        }
        proxy = `${value.toLowerCase() === upn.toLowerCase() && hasMailbox ? 'SMTP' : 'smtp'}:${value}`;
      }
      if (!out.some((p) => p.toLowerCase() === proxy.toLowerCase())) out.push(proxy);
    }
    if (out.some((p) => this.addressTaken(p))) throw duplicateProxy();
    return out;
  }

  private addressTaken(proxy: string): boolean {
    const key = proxy.toLowerCase();
    return this.usersByProxy.has(key) || this.groupsByProxy.has(key);
  }

  /** By object id or UPN, case-insensitively (as Graph resolves `/users/{id | userPrincipalName}`). */
  findUser(idOrUpn: string): UserRecord | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.get(key) ?? this.usersByUpn.get(key);
  }

  /**
   * The user an SMTP address reaches: any of its smtp proxy addresses (primary or alias),
   * case-insensitively, as Exchange routes mail. Not for `/users/{x}`, which Graph resolves by
   * id or UPN only.
   */
  findByAddress(address: string): UserRecord | undefined {
    return this.usersByProxy.get(`smtp:${address.trim().toLowerCase()}`);
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }

  // ---- groups ------------------------------------------------------------------------------

  addGroup(input: NewGroup): GroupRecord {
    const invalid = (property: string) => graphErrors.badRequest(`Invalid value specified for property '${property}' of resource 'Group'.`);
    const displayName = input.displayName?.trim();
    if (!displayName) throw invalid('displayName');
    const mail = input.mail?.trim();
    if (mail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(mail)) throw invalid('mail');
    const proxyAddresses = mail ? [`SMTP:${mail}`] : [];
    for (const alias of input.proxyAddresses ?? []) {
      const typed = /^([A-Za-z0-9]+):(.*)$/.exec(alias.trim());
      const type = typed ? typed[1] : 'smtp';
      const value = (typed ? typed[2] : alias).trim();
      if (!value) throw invalid('proxyAddresses');
      let proxy = `${type}:${value}`;
      if (type.toLowerCase() === 'smtp') {
        if (!/^[^@\s]+@[^@\s]+$/.test(value)) throw invalid('proxyAddresses');
        // As for users, the primary SMTP address is `mail`: one value to send to and show.
        if (type === 'SMTP' && value.toLowerCase() !== mail?.toLowerCase()) {
          throw graphErrors.badRequest(`The primary SMTP address is the group's mail '${mail ?? ''}' in the emulator; give aliases as 'smtp:${value}' or '${value}'.`);
        }
        proxy = `${value.toLowerCase() === mail?.toLowerCase() ? 'SMTP' : 'smtp'}:${value}`;
      }
      if (!proxyAddresses.some((p) => p.toLowerCase() === proxy.toLowerCase())) proxyAddresses.push(proxy);
    }
    if (proxyAddresses.some((p) => this.addressTaken(p))) throw duplicateProxy();
    const memberIds = [...new Set(input.memberIds)];
    for (const id of memberIds) {
      if (!this.users.has(id) && !this.groups.has(id)) throw invalid('members');
    }
    const group: GroupRecord = {
      id: newGuid(),
      displayName,
      mail: mail ?? null,
      mailNickname: mail ? mail.split('@')[0] : displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group',
      proxyAddresses,
      mailEnabled: mail !== undefined,
      securityEnabled: input.securityEnabled ?? mail === undefined,
      groupTypes: [],
      memberIds,
      createdDateTime: this.iso(),
    };
    this.groups.set(group.id, group);
    for (const proxy of proxyAddresses) this.groupsByProxy.set(proxy.toLowerCase(), group);
    return group;
  }

  findGroup(id: string): GroupRecord | undefined {
    return this.groups.get(id.toLowerCase());
  }

  /** The group an SMTP address reaches (any of its smtp proxy addresses, case ignored). */
  findGroupByAddress(address: string): GroupRecord | undefined {
    return this.groupsByProxy.get(`smtp:${address.trim().toLowerCase()}`);
  }

  listGroups(): GroupRecord[] {
    return [...this.groups.values()];
  }

  /** Direct members, users and groups, in the order they were added. */
  membersOf(group: GroupRecord): Array<UserRecord | GroupRecord> {
    return group.memberIds.map((id) => this.users.get(id) ?? this.groups.get(id)).filter((x): x is UserRecord | GroupRecord => x !== undefined);
  }

  /**
   * Every member reached through nested groups, each once (first reached first), the group
   * itself excluded even where membership loops back to it.
   */
  transitiveMembersOf(group: GroupRecord): Array<UserRecord | GroupRecord> {
    const seen = new Set<string>([group.id]);
    const out: Array<UserRecord | GroupRecord> = [];
    const walk = (g: GroupRecord) => {
      for (const m of this.membersOf(g)) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
        if (isGroup(m)) walk(m);
      }
    };
    walk(group);
    return out;
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
    const ids = new MailboxIds();
    this.idSpaces.set(user.id, ids);
    // Exchange answers the ids of well-known folders in the compressed (`AQMk`) form, others not.
    const add = (wellKnownName: string, parentId: string, displayName: string, hidden: boolean, internal = false): FolderRecord => {
      const counter = ids.folderCounter(wellKnownName);
      const forms = ids.folderIdForms(counter);
      const folder: FolderRecord = {
        id: forms.compressed,
        mailboxId: user.id,
        parentId,
        displayName,
        wellKnownName,
        hidden,
        counter,
        ...(internal ? { internal } : {}),
      };
      this.addFolderRecord(folder, forms.plain);
      return folder;
    };
    const mailboxRoot = ids.folderId(ids.folderCounter('mailboxroot'), true);
    const root = add('msgfolderroot', mailboxRoot, 'Top of Information Store', false);
    this.roots.set(user.id, root);
    const known = new Map<string, FolderRecord>([['msgfolderroot', root]]);
    this.wellKnown.set(user.id, known);
    const recoverableRoot = ids.folderId(ids.folderCounter('recoverableitemsroot'), true);
    for (const t of FOLDER_TEMPLATES) {
      known.set(t.wellKnownName, add(t.wellKnownName, t.outsideRoot ? recoverableRoot : root.id, t.names[language] ?? t.names.en, t.hidden === true));
    }
    this.purges.set(user.id, add(PURGES, recoverableRoot, 'Purges', true, true));
  }

  private idsOf(mailboxId: string): MailboxIds {
    const ids = this.idSpaces.get(mailboxId);
    if (!ids) throw graphErrors.mailboxNotEnabled();
    return ids;
  }

  /** Any folder by REST id (either form), Purges included: for the admin API. */
  folderRecord(id: string): FolderRecord | undefined {
    return this.folders.get(idKey(id));
  }

  /** `key`: the folder's id uncompressed, when the caller has it (saves decoding `id`). */
  private addFolderRecord(folder: FolderRecord, key = idKey(folder.id)): void {
    this.folders.set(key, folder);
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
    const folder = this.folders.get(idKey(idOrName));
    if (!folder || folder.mailboxId !== mailbox.id || folder.internal) throw graphErrors.itemNotFound();
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

  /**
   * mailfolder-update.md: PATCH with a new displayName answers 200 with the folder; its id stays
   * (so a client reading by id keeps reading it). A sibling of that name is 409 ErrorFolderExists,
   * as on create. The docs are silent on renaming a well-known folder; refused here (400) so a
   * client cannot rely on it (docs/deviations.md).
   */
  renameFolder(folder: FolderRecord, displayName: string): FolderRecord {
    const name = displayName.trim();
    if (!name) throw graphErrors.badRequest('The folder name cannot be empty.');
    if (folder.wellKnownName) throw new EmulatorError(400, 'ErrorInvalidRequest', 'A well-known folder cannot be renamed.');
    const siblings = this.childrenOf.get(folder.parentId) ?? [];
    if (siblings.some((f) => f.id !== folder.id && f.displayName.toLowerCase() === name.toLowerCase())) {
      throw new EmulatorError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    folder.displayName = name;
    return folder;
  }

  createFolder(parent: FolderRecord, displayName: string): FolderRecord {
    const name = displayName.trim();
    if (!name) throw graphErrors.badRequest('The folder name cannot be empty.');
    const clash = this.childFolders(parent, true).some((f) => f.displayName.toLowerCase() === name.toLowerCase());
    if (clash) {
      throw new EmulatorError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const ids = this.idsOf(parent.mailboxId);
    const counter = ids.folderCounter();
    const folder: FolderRecord = {
      id: ids.folderId(counter),
      mailboxId: parent.mailboxId,
      parentId: parent.id,
      displayName: name,
      hidden: false,
      counter,
    };
    this.addFolderRecord(folder, folder.id);
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
    const { raw, parsed } = prepared;
    const ids = this.idsOf(mailbox.id);
    const counter = ids.itemCounter();
    const id = ids.messageId(folder.counter, counter);
    const attachments = this.attachmentRecords(id, prepared);
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
      id,
      immutableId: ids.immutableId('item', counter),
      mailboxId: mailbox.id,
      folderId: folder.id,
      fields,
      raw,
      attachments,
      conversationKey: this.threadIndexConversation(mailbox.id, parsed.conversationKey, fields) ?? parsed.conversationKey,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: newChangeKey(),
      seq: ++this.seq,
      arrived: 0,
      changed: 0,
    };
    this.insert(record);
    return record;
  }

  private attachmentRecords(messageId: string, { parsed, items }: PreparedMessage): AttachmentRecord[] {
    return parsed.attachments.map((a, i) => {
      const key = newAttachmentKey();
      return {
        id: attachmentId(messageId, key),
        key,
        kind: a.kind,
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        isInline: a.isInline,
        contentId: a.contentId,
        content: a.content,
        lastModifiedDateTime: this.iso(),
        item: items[i],
      };
    });
  }

  /**
   * message-send.md: the sent draft is saved in Sent Items as the message that went out (its
   * MIME, the fields Exchange derives from it, plus `keep`). Like any move it gets a new REST
   * id; its immutable id stays (outlook-immutable-id.md), so a client holding it finds the sent item.
   */
  async sendDraft(m: MessageRecord, destination: FolderRecord, raw: Buffer, keep: Record<string, unknown>): Promise<MessageRecord> {
    const prepared = await this.prepareMessage(raw);
    const moved = this.moveMessage(m, destination);
    moved.raw = raw;
    moved.fields = { ...prepared.parsed.message, ...keep };
    moved.conversationKey = prepared.parsed.conversationKey;
    moved.attachments = this.attachmentRecords(moved.id, prepared);
    return moved;
  }

  /** `DELETE .../attachments/{id}`. */
  removeAttachment(m: MessageRecord, a: AttachmentRecord): void {
    m.attachments = m.attachments.filter((x) => x !== a);
    this.touch(m);
  }

  /**
   * A message with no In-Reply-To / References (its own key) but a `Thread-Index` whose 22-byte
   * header block is that of a message already in the mailbox joins that message's conversation:
   * Exchange threads by the index too (MS-OXOMSG PidTagConversationIndex), so an Outlook reply
   * whose client dropped the other headers still groups with its thread.
   */
  private threadIndexConversation(mailboxId: string, ownKey: string, fields: Record<string, unknown>): string | undefined {
    const root = threadRootOf(fields.conversationIndex);
    if (!root || ownKey !== fields.internetMessageId) return undefined;
    return this.threadRoots.get(`${mailboxId} ${root}`);
  }

  private insert(record: MessageRecord): void {
    // The first message of a mailbox with a Thread-Index header block names its conversation.
    const root = threadRootOf(record.fields.conversationIndex);
    if (root && !this.threadRoots.has(`${record.mailboxId} ${root}`)) this.threadRoots.set(`${record.mailboxId} ${root}`, record.conversationKey);
    record.changed = ++this.changeSeq;
    record.arrived = record.changed;
    this.messages.set(record.id, record);
    this.byImmutable.set(record.immutableId, record);
    this.byFolder.get(record.folderId)?.add(record.id);
  }

  private remove(record: MessageRecord): void {
    const left = this.tombstones.get(record.folderId) ?? [];
    left.push({ seq: ++this.changeSeq, id: record.id, immutableId: record.immutableId });
    this.tombstones.set(record.folderId, left);
    this.messages.delete(record.id);
    this.byImmutable.delete(record.immutableId);
    this.byFolder.get(record.folderId)?.delete(record.id);
  }

  /** By REST id (either form) or immutable id; a purged message is gone for Graph. */
  message(mailbox: UserRecord, id: string): MessageRecord {
    if (!looksLikeItemId(id)) throw graphErrors.invalidId();
    const m = this.findMessage(id);
    if (!m || m.mailboxId !== mailbox.id || this.purges.get(mailbox.id)?.id === m.folderId) throw graphErrors.itemNotFound();
    return m;
  }

  private findMessage(id: string): MessageRecord | undefined {
    return isImmutableId(id) ? this.byImmutable.get(id) : this.messages.get(idKey(id));
  }

  /** The message's id in the form the request asked for. */
  messageIdOf(m: MessageRecord, idType: IdType): string {
    return idType === 'immutable' ? m.immutableId : m.id;
  }

  attachmentIdOf(m: MessageRecord, a: AttachmentRecord, idType: IdType): string {
    return idType === 'immutable' ? attachmentId(m.immutableId, a.key) : a.id;
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
    const f = this.folders.get(idKey(folderId));
    return f?.wellKnownName !== undefined && DUMPSTER.has(f.wellKnownName);
  }

  /** Every message in the tenant with this internetMessageId (angle brackets optional). */
  findByInternetMessageId(internetMessageId: string): MessageRecord[] {
    const wanted = internetMessageId.replace(/^<|>$/g, '').toLowerCase();
    return [...this.messages.values()].filter(
      (m) => String(m.fields.internetMessageId ?? '').replace(/^<|>$/g, '').toLowerCase() === wanted,
    );
  }

  private touch(m: MessageRecord): void {
    m.changed = ++this.changeSeq;
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

  /**
   * Graph gives a moved item a new REST id (the old one stops resolving), and so new REST
   * attachment ids; its immutable id stays.
   */
  moveMessage(m: MessageRecord, destination: FolderRecord): MessageRecord {
    if (destination.mailboxId !== m.mailboxId) throw graphErrors.itemNotFound();
    this.remove(m);
    const id = this.idsOf(m.mailboxId).messageId(destination.counter, this.idsOf(m.mailboxId).itemCounter());
    const attachments = m.attachments.map((a) => ({ ...a, id: attachmentId(id, a.key) }));
    const moved: MessageRecord = { ...m, id, attachments, folderId: destination.id, seq: m.seq };
    this.touch(moved);
    this.insert(moved);
    return moved;
  }

  /** A copy is a new item: new ids of every kind. */
  copyMessage(m: MessageRecord, destination: FolderRecord): MessageRecord {
    if (destination.mailboxId !== m.mailboxId) throw graphErrors.itemNotFound();
    const ids = this.idsOf(m.mailboxId);
    const counter = ids.itemCounter();
    const id = ids.messageId(destination.counter, counter);
    const copy: MessageRecord = {
      ...m,
      id,
      immutableId: ids.immutableId('item', counter),
      folderId: destination.id,
      fields: structuredClone(m.fields),
      attachments: m.attachments.map((a) => {
        const key = newAttachmentKey();
        return { ...a, id: attachmentId(id, key), key };
      }),
      seq: ++this.seq,
    };
    this.touch(copy);
    this.insert(copy);
    return copy;
  }

  /**
   * Exchange's DELETE (message-delete.md, mailFolder well-known names): from the user's folders
   * to Deleted Items; from Deleted Items (or a folder under it) on to Recoverable Items
   * (`recoverableitemsdeletions`, the soft-deleted items); from there it is refused with
   * 403 ErrorCannotDeleteObject, as Exchange Online answers. Each move gives a new REST id.
   */
  deleteMessage(mailbox: UserRecord, m: MessageRecord): MessageRecord {
    const deletions = this.folder(mailbox, 'recoverableitemsdeletions');
    if (m.folderId === deletions.id) throw graphErrors.cannotDelete();
    const deleted = this.folder(mailbox, 'deleteditems');
    const inDeletedItems = m.folderId === deleted.id || this.isInside(m.folderId, deleted.id);
    return this.moveMessage(m, inDeletedItems ? deletions : deleted);
  }

  /**
   * `permanentDelete` (message-permanentdelete.md): into the dumpster's Purges folder, which no
   * client (Graph included) can reach; only the admin API still counts it there.
   */
  permanentDelete(mailbox: UserRecord, m: MessageRecord): void {
    const purges = this.purges.get(mailbox.id);
    if (!purges) throw graphErrors.mailboxNotEnabled();
    this.moveMessage(m, purges);
  }

  private isInside(folderId: string, ancestorId: string): boolean {
    let f = this.folders.get(idKey(folderId));
    for (let depth = 0; f && depth < 64; depth += 1) {
      if (f.parentId === ancestorId) return true;
      f = this.folders.get(idKey(f.parentId));
    }
    return false;
  }

  // ---- translateExchangeIds -----------------------------------------------------------------

  /**
   * One id of `translateExchangeIds` (user-translateexchangeids.md): resolves it as `source` in
   * this mailbox (a message or a folder) and answers it as `target`. Failures are per id, as
   * convertIdResult's `errorDetails`.
   */
  translateId(mailbox: UserRecord, input: string, source: ExchangeIdFormat, target: ExchangeIdFormat): { targetId: string } | { error: EmulatorError } {
    const ids = this.idsOf(mailbox.id);
    let lookup: { kind: IdType; id: string } | undefined;
    if (source === 'restId' && looksLikeItemId(input) && !isImmutableId(input)) lookup = { kind: 'rest', id: input };
    else if (source === 'restImmutableEntryId' && isImmutableId(input) && looksLikeItemId(input)) lookup = { kind: 'immutable', id: input };
    else if (source === 'ewsId') {
      const rest = restIdOfEws(input);
      if (rest && looksLikeItemId(rest) && !isImmutableId(rest)) lookup = { kind: 'rest', id: rest };
    } else if (source === 'entryId') {
      const entry = decodeEntryId(input);
      const rest = entry && ids.restIdFromEntry(entry);
      if (rest) lookup = { kind: 'rest', id: rest };
    } else if (source === 'immutableEntryId') {
      const entry = decodeEntryId(input);
      const immutable = entry && immutableIdFromEntry(entry);
      if (immutable) lookup = { kind: 'immutable', id: immutable };
    }
    if (!lookup) return { error: graphErrors.invalidId() };
    const entity = this.entityForTranslation(mailbox, lookup);
    if (!entity) return { error: graphErrors.itemNotFound() };
    // Folders have no immutable ids on Graph's routes, but translateExchangeIds converts them too.
    const found = 'immutableId' in entity ? entity : { id: entity.id, immutableId: ids.immutableId('folder', entity.counter) };
    switch (target) {
      case 'restId':
        return { targetId: found.id };
      case 'restImmutableEntryId':
        return { targetId: found.immutableId };
      case 'ewsId':
        return { targetId: ewsIdOf(found.id) };
      case 'entryId':
        return { targetId: encodeEntryId(entryOfRestId(found.id)!) };
      case 'immutableEntryId':
        return { targetId: encodeEntryId(entryOfImmutableId(found.immutableId)!) };
    }
  }

  private entityForTranslation(mailbox: UserRecord, lookup: { kind: IdType; id: string }): MessageRecord | FolderRecord | undefined {
    const m = this.findMessage(lookup.id);
    if (m) return m.mailboxId === mailbox.id && this.purges.get(mailbox.id)?.id !== m.folderId ? m : undefined;
    const f = lookup.kind === 'rest' ? this.folders.get(idKey(lookup.id)) : this.folderByImmutableId(mailbox, lookup.id);
    return f && f.mailboxId === mailbox.id && !f.internal ? f : undefined;
  }

  /** Rare (translateExchangeIds only), so a walk of the mailbox's folders rather than another index. */
  private folderByImmutableId(mailbox: UserRecord, id: string): FolderRecord | undefined {
    const ids = this.idsOf(mailbox.id);
    const pending = [...(this.wellKnown.get(mailbox.id)?.values() ?? [])];
    const seen = new Set<FolderRecord>();
    while (pending.length > 0) {
      const f = pending.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      if (ids.immutableId('folder', f.counter) === id) return f;
      pending.push(...(this.childrenOf.get(f.id) ?? []));
    }
    return undefined;
  }

  /**
   * Attaches bytes to a stored message without a MIME round trip (the admin API's large
   * attachments). The message's raw MIME (`$value`) is left as it was delivered.
   */
  async addAttachment(
    m: MessageRecord,
    input: { kind: 'file' | 'item' | 'reference'; name: string; contentType: string; content: Buffer; isInline?: boolean; sourceUrl?: string; contentId?: string },
  ): Promise<AttachmentRecord> {
    const reference = input.kind === 'reference';
    const key = newAttachmentKey();
    const record: AttachmentRecord = {
      id: attachmentId(m.id, key),
      key,
      kind: input.kind,
      name: input.name,
      contentType: input.contentType,
      // A reference attachment's size is that of the link's metadata on the message, not of the file.
      size: reference ? 256 + Buffer.byteLength(input.name) + Buffer.byteLength(input.sourceUrl ?? '') : input.content.length,
      isInline: input.isInline === true,
      ...(input.contentId ? { contentId: input.contentId } : {}),
      content: input.content,
      lastModifiedDateTime: this.iso(),
      item: input.kind === 'item' ? await parseMime(input.content).catch(() => undefined) : undefined,
      ...(reference ? { sourceUrl: input.sourceUrl } : {}),
    };
    m.attachments = [...m.attachments, record];
    this.touch(m);
    return record;
  }

  /** By the id under the message's REST id (either form) or under its immutable id. */
  attachment(m: MessageRecord, id: string): AttachmentRecord {
    if (!looksLikeItemId(id)) throw graphErrors.invalidId();
    const key = isImmutableId(id) ? id : idKey(id);
    const a = m.attachments.find((x) => x.id === key || attachmentId(m.immutableId, x.key) === key);
    if (!a) throw graphErrors.itemNotFound();
    return a;
  }

  /**
   * The full Graph message resource (internetMessageHeaders included; handlers drop it unless
   * selected). With immutable ids only the message's own id changes form: folders have no
   * immutable ids (outlook-immutable-id.md), so parentFolderId stays the folder's id.
   */
  messageResource(m: MessageRecord, idType: IdType = 'rest'): Record<string, unknown> {
    const f = m.fields;
    return {
      '@odata.etag': `W/"${m.changeKey}"`,
      id: this.messageIdOf(m, idType),
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
      conversationId: this.idsOf(m.mailboxId).conversationId(m.conversationKey),
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
  itemResource(a: AttachmentRecord, id: string = a.id): Record<string, unknown> | null {
    if (!a.item) return null;
    return {
      '@odata.type': '#microsoft.graph.message',
      id,
      ...a.item.message,
      hasAttachments: a.item.attachments.some((x) => !x.isInline),
    };
  }
}

export function isGroup(x: UserRecord | GroupRecord): x is GroupRecord {
  return 'memberIds' in x;
}

function duplicateProxy(): EmulatorError {
  return new EmulatorError(400, 'Request_BadRequest', 'Another object with the same value for property proxyAddresses already exists.');
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

/** The 22-byte header block of a Thread-Index (hex), or undefined when it is not one. */
function threadRootOf(index: unknown): string | undefined {
  if (typeof index !== 'string') return undefined;
  const b = Buffer.from(index, 'base64');
  return b.length >= 22 && (b.length - 22) % 5 === 0 ? b.subarray(0, 22).toString('hex') : undefined;
}
