/**
 * What happens when a mailbox sends: a copy in the sender's Sent Items (unless told not to)
 * and delivery to every recipient that is a mailbox of this tenant (Inbox, or Junk Email
 * when the recipient blocked the sender). Recipients outside the tenant are accepted and
 * dropped, as if relayed to the internet.
 */
import type { Store, UserRecord } from './store.ts';

export async function submit(
  store: Store,
  sender: UserRecord,
  raw: Buffer,
  recipients: string[],
  options: { saveToSentItems: boolean },
): Promise<void> {
  if (options.saveToSentItems) {
    await store.addMessage(sender, store.folder(sender, 'sentitems'), raw, { isRead: true });
  }
  const senderAddress = sender.userPrincipalName.toLowerCase();
  const senderDomain = `@${senderAddress.split('@')[1]}`;
  const delivered = new Set<string>();
  for (const address of recipients) {
    const user = store.findUser(address);
    if (!user || !user.hasMailbox || delivered.has(user.id)) continue;
    delivered.add(user.id);
    const blocked = user.blockedSenders.has(senderAddress) || user.blockedSenders.has(senderDomain);
    await store.addMessage(user, store.folder(user, blocked ? 'junkemail' : 'inbox'), raw);
  }
}
