/**
 * What happens to a message once a mailbox sends it (sendMail, a draft's send, reply, replyAll,
 * forward: every route ends here). Each recipient that is a mailbox of this tenant (by any of its
 * SMTP addresses: primary, mail or an alias) gets a copy in its Inbox (Junk Email when it
 * blocked the sender), and so does every member mailbox of a distribution list addressed (nested
 * lists expanded, each mailbox once); an address of one of the tenant's own domains that no
 * mailbox or group holds gets the sender a non-delivery report, as Exchange Online
 * answers (550 5.1.10 RESOLVER.ADR.RecipientNotFound); any other address is relayed to the
 * internet, that is recorded for `GET /_emulator/outbound`. The sender's Sent Items copy is the
 * caller's (a draft moves there, sendMail adds one).
 */
import type { EmulatorState } from './state.ts';
import { isGroup, type MessageRecord, type UserRecord } from './store.ts';
import { buildNdr } from './ndr.ts';
import type { UploadSession } from './upload-sessions.ts';

export interface OutboundMessage {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  internetMessageId: string;
  size: number;
}

/** `POST /_emulator/users/{upn}/auto-reply`: this mailbox answers what reaches its Inbox. */
export interface AutoReply {
  body: string;
  delaySeconds: number;
}

/** Mail flow state of one emulator: relayed mail, open upload sessions, auto-replies (all cleared by reset). */
export class MailFlow {
  outbound: OutboundMessage[] = [];
  readonly sessions = new Map<string, UploadSession>();
  /** By user id. */
  readonly autoReplies = new Map<string, AutoReply>();

  reset(): void {
    this.outbound = [];
    this.sessions.clear();
    this.autoReplies.clear();
  }
}

/** Marks an emulator auto-reply, so two auto-replying mailboxes never answer each other forever. */
export const AUTO_REPLY_HEADER = 'X-Emulator-Auto-Reply';

export interface Delivered {
  user: UserRecord;
  message: MessageRecord;
  inbox: boolean;
  /** The sender's own copy (it addressed itself, or a list it is a member of). */
  fromSelf: boolean;
}

const flows = new WeakMap<EmulatorState, MailFlow>();

export function mailFlowOf(state: EmulatorState): MailFlow {
  let flow = flows.get(state);
  if (!flow) flows.set(state, (flow = new MailFlow()));
  return flow;
}

export interface Submission {
  /** The MIME as it travels: no Bcc header (Exchange strips it from what recipients get). */
  raw: Buffer;
  subject: string;
  internetMessageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  /** MAPI properties that travel inside the organisation (e.g. Outlook's voting verbs). */
  singleValueExtendedProperties?: unknown[];
}

/**
 * The domains this tenant accepts mail for: its own, and that of every mailbox (Exchange hosts a
 * mailbox only in an accepted domain).
 */
export function tenantDomains(state: EmulatorState): Set<string> {
  const out = new Set([state.tenant.tenantDomain.toLowerCase()]);
  for (const address of state.store.mailboxAddresses()) out.add(address.split('@')[1].toLowerCase());
  // An alias lives in an accepted domain too, so a typo in its domain bounces rather than leaves.
  for (const user of state.store.listUsers()) {
    if (!user.hasMailbox) continue;
    for (const proxy of user.proxyAddresses) if (/^smtp:/i.test(proxy)) out.add(domainOf(proxy));
  }
  for (const group of state.store.listGroups()) {
    for (const proxy of group.proxyAddresses) if (/^smtp:/i.test(proxy)) out.add(domainOf(proxy));
  }
  return out;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Delivers and answers the Inbox copies it made (for auto-replies). */
export async function deliver(state: EmulatorState, sender: UserRecord, mail: Submission): Promise<Delivered[]> {
  const store = state.store;
  const senderAddress = sender.userPrincipalName.toLowerCase();
  const senderDomain = `@${domainOf(senderAddress)}`;
  const own = tenantDomains(state);
  const delivered = new Set<string>();
  const copies: Delivered[] = [];
  const unknown: string[] = [];
  const outside = { to: [] as string[], cc: [] as string[], bcc: [] as string[] };
  const prepared = await store.prepareMessage(mail.raw);
  const deliverTo = (user: UserRecord) => {
    if (delivered.has(user.id)) return;
    delivered.add(user.id);
    const blocked = user.blockedSenders.has(senderAddress) || user.blockedSenders.has(senderDomain);
    const copy = store.addPreparedMessage(user, store.folder(user, blocked ? 'junkemail' : 'inbox'), prepared);
    if (mail.singleValueExtendedProperties?.length) store.updateMessage(copy, { singleValueExtendedProperties: structuredClone(mail.singleValueExtendedProperties) });
    copies.push({ user, message: copy, inbox: !blocked, fromSelf: user.id === sender.id });
  };
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    for (const address of mail[kind]) {
      // Exchange routes by any address of the mailbox (aliases too); the copy keeps the To as addressed.
      const user = store.findByAddress(address);
      const group = user ? undefined : store.findGroupByAddress(address);
      if (user?.hasMailbox) {
        deliverTo(user);
      } else if (group) {
        // Exchange expands a distribution list (nested ones too) into one copy per member mailbox,
        // the sender's own included when it is a member; an empty list delivers nothing, silently.
        for (const member of store.transitiveMembersOf(group)) if (!isGroup(member) && member.hasMailbox) deliverTo(member);
      } else if (own.has(domainOf(address))) {
        if (!unknown.some((a) => a.toLowerCase() === address.toLowerCase())) unknown.push(address);
      } else if (!outside[kind].includes(address)) {
        outside[kind].push(address);
      }
    }
  }
  if (outside.to.length + outside.cc.length + outside.bcc.length > 0) {
    mailFlowOf(state).outbound.push({
      from: sender.userPrincipalName,
      ...outside,
      subject: mail.subject,
      internetMessageId: mail.internetMessageId,
      size: mail.raw.length,
    });
  }
  if (unknown.length > 0) {
    const ndr = buildNdr({ sender, domain: domainOf(senderAddress), recipients: unknown, original: mail.raw, subject: mail.subject, internetMessageId: mail.internetMessageId, now: state.now() });
    await store.addMessage(sender, store.folder(sender, 'inbox'), ndr);
  }
  return copies;
}

/** sendMail's Sent Items copy: Bcc recipients are the sender's to see, though no header carried them. */
export async function saveSentCopy(state: EmulatorState, sender: UserRecord, mail: Submission, bcc: unknown[]): Promise<MessageRecord> {
  const store = state.store;
  const copy = await store.addMessage(sender, store.folder(sender, 'sentitems'), mail.raw, { isRead: true });
  const patch: Record<string, unknown> = {};
  if (bcc.length > 0) patch.bccRecipients = bcc;
  if (mail.singleValueExtendedProperties?.length) patch.singleValueExtendedProperties = structuredClone(mail.singleValueExtendedProperties);
  return Object.keys(patch).length > 0 ? store.updateMessage(copy, patch) : copy;
}
