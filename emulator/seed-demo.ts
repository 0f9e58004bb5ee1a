/**
 * The `demo` tenant: a SOC mailbox, a phishing-report mailbox, the SOC lead (reached by an
 * alias too, for actions that wait for a reply), a few employees (one out of office, one with
 * German folder names, one without a mailbox), nested folders, ordinary
 * mail, and one phishing campaign: the same message (same Message-ID) delivered to several
 * mailboxes plus a user's report of it, with the phish attached as .eml, in the report box.
 * All names, domains and links are made up (`*.example`).
 */
import { buildMail } from './rfc822.ts';
import type { Store } from './store.ts';

export const DEMO_DOMAIN = 'contoso.example';
export const PHISH_MESSAGE_ID = '<7f3c2a91.4e1b.4c1d.9a2f.5d8e0b6c1a73@mail.login-microsoft-verify.example>';
export const PHISH_URL = 'http://login-microsoft-verify.example/reset?session=8c2f61';

export interface SeedOptions {
  domain?: string;
  /** "Now" for the dates of seeded mail (ms since epoch). */
  now?: number;
}

export function demoMailboxes(domain = DEMO_DOMAIN) {
  return {
    soc: `soc@${domain}`,
    reports: `phishing-reports@${domain}`,
    alice: `alice.martin@${domain}`,
    bob: `bob.keller@${domain}`,
    carol: `carol.diaz@${domain}`,
    dave: `dave.nomail@${domain}`,
    dana: `dana.lee@${domain}`,
    /** An alias (smtp proxy address) of Dana's mailbox, not a user of its own. */
    socLead: `soc-lead@${domain}`,
  };
}

export async function seedDemo(store: Store, options: SeedOptions = {}): Promise<void> {
  const domain = options.domain ?? DEMO_DOMAIN;
  const now = options.now ?? Date.now();
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000);
  const mb = demoMailboxes(domain);

  const soc = store.addUser({ userPrincipalName: mb.soc, displayName: 'SOC Mailbox', jobTitle: 'Security Operations' });
  const reports = store.addUser({ userPrincipalName: mb.reports, displayName: 'Phishing Reports' });
  const alice = store.addUser({ userPrincipalName: mb.alice, displayName: 'Alice Martin', givenName: 'Alice', surname: 'Martin', jobTitle: 'Finance Manager' });
  const bob = store.addUser({ userPrincipalName: mb.bob, displayName: 'Bob Keller', givenName: 'Bob', surname: 'Keller', jobTitle: 'Engineer', language: 'de' });
  const carol = store.addUser({ userPrincipalName: mb.carol, displayName: 'Carol Diaz', givenName: 'Carol', surname: 'Diaz', jobTitle: 'HR Partner' });
  store.addUser({ userPrincipalName: mb.dave, displayName: 'Dave Nomail', mailbox: false });
  // No auto-reply: the walkthrough turns it on (POST /_emulator/users/{upn}/auto-reply).
  store.addUser({ userPrincipalName: mb.dana, displayName: 'Dana Lee', givenName: 'Dana', surname: 'Lee', jobTitle: 'SOC Lead', proxyAddresses: [`smtp:${mb.socLead}`] });

  store.folderByPath(soc, 'Inbox/Phishing/2024', true);
  store.folderByPath(soc, 'Inbox/Reviewed', true);
  store.folderByPath(reports, 'Inbox/Processed', true);
  store.folderByPath(carol, 'Archive/Projects', true);
  store.folderByPath(bob, 'Posteingang/Projekte', true);

  // Alice is out of office: automatic replies on, presence says so.
  const replies = store.findUser(mb.alice)!.mailboxSettings.automaticRepliesSetting as Record<string, unknown>;
  replies.status = 'alwaysEnabled';
  replies.internalReplyMessage = 'I am out of the office until next Monday. For urgent finance matters contact finance@' + domain + '.';
  replies.externalReplyMessage = 'I am out of the office until next Monday.';
  alice.presence.availability = 'Away';
  alice.presence.activity = 'OffWork';
  alice.presence.outOfOfficeSettings = { isOutOfOffice: true, message: String(replies.internalReplyMessage) };

  const deliver = async (user: typeof soc, folder: string, raw: Buffer, hoursAgo: number, isRead = false) =>
    store.addMessage(user, store.folderByPath(user, folder), raw, { isRead, receivedDateTime: at(hoursAgo).toISOString() });

  // Ordinary mail.
  let n = 0;
  const mid = () => `<demo.${++n}.${now.toString(36)}@${domain}>`;
  await deliver(alice, 'Inbox', buildMail({
    from: `Carol Diaz <${mb.carol}>`, to: [`Alice Martin <${mb.alice}>`], subject: 'Quarterly budget review',
    date: at(30), messageId: mid(), text: 'Hi Alice,\n\nthe quarterly budget review is moved to Thursday 10:00.\n\nCarol',
  }), 30, true);
  await deliver(alice, 'Inbox', buildMail({
    from: `Bob Keller <${mb.bob}>`, to: [`Alice Martin <${mb.alice}>`], subject: 'Invoice 2024-117',
    date: at(20), messageId: mid(), text: 'Alice, please find the invoice attached.\n\nBob',
    attachments: [{ filename: 'invoice-2024-117.txt', contentType: 'text/plain', content: Buffer.from('Invoice 2024-117\nAmount: 1,250.00 EUR\nDue: 30 days\n') }],
  }), 20);
  await deliver(bob, 'Inbox', buildMail({
    from: `Carol Diaz <${mb.carol}>`, to: [`Bob Keller <${mb.bob}>`], subject: 'Onboarding checklist',
    date: at(26), messageId: mid(), text: 'Hallo Bob,\n\nhere is the onboarding checklist for the new engineer.\n\nCarol',
    html: '<p>Hallo Bob,</p><p>here is the <b>onboarding checklist</b> for the new engineer.</p><p>Carol</p>',
  }), 26);
  await deliver(carol, 'Inbox', buildMail({
    from: `Alice Martin <${mb.alice}>`, to: [`Carol Diaz <${mb.carol}>`], subject: 'Team lunch on Friday',
    date: at(28), messageId: mid(), text: 'Carol, are you joining the team lunch on Friday?\n\nAlice',
  }), 28, true);
  await deliver(carol, 'Archive/Projects', buildMail({
    from: `Bob Keller <${mb.bob}>`, to: [`Carol Diaz <${mb.carol}>`], subject: 'Project Falcon kickoff notes',
    date: at(200), messageId: mid(), text: 'Notes from the kickoff are in the shared folder.\n\nBob',
  }), 200, true);
  await deliver(soc, 'Inbox', buildMail({
    from: `Alerts <alerts@siem.${domain}>`, to: [mb.soc], subject: 'Daily SOC summary',
    date: at(10), messageId: mid(), text: 'No critical alerts in the last 24 hours.',
  }), 10, true);
  await deliver(soc, 'Inbox/Phishing/2024', buildMail({
    from: `Phishing Reports <${mb.reports}>`, to: [mb.soc], subject: 'Closed: fake parcel notification',
    date: at(400), messageId: mid(), text: 'Case closed, sender blocked.',
  }), 400, true);

  // The campaign: one message, one Message-ID, several recipients' mailboxes.
  const phishText = [
    'Dear user,',
    '',
    'your mailbox password expires today. To keep access to your email, verify your account now:',
    PHISH_URL,
    '',
    'IT Helpdesk',
  ].join('\n');
  const phish = buildMail({
    from: 'IT Helpdesk <it-support@login-microsoft-verify.example>',
    to: [mb.alice, mb.bob, mb.carol, mb.soc],
    subject: 'Action required: your mailbox password expires today',
    date: at(3),
    messageId: PHISH_MESSAGE_ID,
    text: phishText,
    html: `<p>Dear user,</p><p>your mailbox password expires today. To keep access to your email, <a href="${PHISH_URL}">verify your account now</a>.</p><p>IT Helpdesk</p>`,
    headers: {
      'Return-Path': '<bounce@mail.login-microsoft-verify.example>',
      'Received': 'from mail.login-microsoft-verify.example (198.51.100.23) by mx.contoso.example with ESMTP',
      'Authentication-Results': 'spf=fail smtp.mailfrom=login-microsoft-verify.example; dkim=none; dmarc=fail',
      'X-Mailer': 'BulkMailer 2.1',
    },
  });
  for (const user of [alice, bob, carol, soc]) await deliver(user, 'Inbox', phish, 3);

  // Alice reports it with the phish attached as an .eml file.
  await deliver(reports, 'Inbox', buildMail({
    from: `Alice Martin <${mb.alice}>`,
    to: [mb.reports],
    subject: 'Report: suspicious password expiry email',
    date: at(2),
    messageId: mid(),
    text: 'Hi SOC,\n\nI received the attached email asking me to verify my password. It looks suspicious.\n\nAlice',
    attachments: [{ filename: 'Action required.eml', contentType: 'message/rfc822', content: phish, embeddedMessage: true }],
  }), 2);
}
