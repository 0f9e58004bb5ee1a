/** Extract Data From Attached EML against the emulator: .eml (item and file), nested .eml, .ics, broken files, regexes. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_URL } from '../../emulator/seed-demo.ts';
import { extractDataFromAttachedEml } from '../../src/actions/extract-data-from-attached-eml.ts';
import { ALICE, BOB, GHOST, REPORTS, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';
import { BROKEN_MSG, TWO_EVENTS_ICS, mime } from './helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(process.env.MSGRAPH_MAIL_CORPUS ?? join(here, '..', '..', '..', 'shared', 'corpus'));
const CORPUS_MSG = join(CORPUS, 'msg', 'Attach sample eml received.msg');
const REGEX_MAP = JSON.stringify({ ips: '\\b\\d{1,3}(\\.\\d{1,3}){3}\\b', urls: 'https?://[^\\s"<>]+' });
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

const deeper = mime({ from: 'Deep <deep@evil.example>', to: ALICE, subject: 'Deeper', text: 'deep host 10.0.0.1' });
const inner = mime({
  from: 'IT Support <it@login-microsoft-verify.example>',
  to: `${ALICE}, ${BOB}`,
  subject: 'Verify your password',
  text: 'Go to http://login-microsoft-verify.example/reset from 192.168.10.5',
  html: '<p>Click <a href="http://evil.example/a">here</a></p>',
  parts: [{ name: 'deeper.eml', rfc822: true, content: deeper }],
});
const forwarded = mime({ from: 'x@forward.example', to: ALICE, subject: 'Forwarded as a file', text: 'see 172.16.0.9' });

async function seedReport(mailbox = SOC, folder = 'Inbox') {
  return h.deliver(mailbox, folder, mime({
    from: `Alice <${ALICE}>`,
    to: mailbox,
    subject: 'Report: phishing',
    text: 'Please look at the attached.',
    parts: [
      { name: 'Verify your password.eml', rfc822: true, content: inner },
      { name: 'invite.ics', contentType: 'text/calendar', content: TWO_EVENTS_ICS },
      { name: 'broken.msg', contentType: 'application/vnd.ms-outlook', content: BROKEN_MSG },
      { name: 'forwarded.eml', contentType: 'application/octet-stream', content: forwarded },
      { name: 'notes.txt', contentType: 'text/plain', content: 'just notes, no email here' },
      { name: 'logo.png', contentType: 'image/png', content: PNG, inline: true },
    ],
  }));
}

describe('Extract Data From Attached EML', () => {
  it('parses item and file .eml attachments, nested emails, both events of an .ics, and reports a broken file per file', async () => {
    const report = await seedReport();
    await h.admin('DELETE', '/requests');
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': report.id, 'Regex Map JSON': REGEX_MAP });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    const lines = doc.output_message.split('\n');
    expect(lines[0]).toBe('Extracted data from 3 attached email files. Files: Verify your password.eml, invite.ics, forwarded.eml');
    expect(lines[1]).toMatch(/^Failed to extract data from 1 attached file\(s\): broken\.msg \(Failed to parse "broken\.msg": /);

    const entries = jsonOf(doc);
    expect(entries.map((e) => [e.type, e.name, e.subject, e.parents])).toEqual([
      ['EML', 'Verify your password.eml', 'Verify your password', []],
      ['EML', 'deeper.eml', 'Deeper', ['Verify your password.eml']],
      ['ICS', 'invite.ics', 'Payroll update - action needed', []],
      ['ICS', 'invite.ics', 'Second reminder', []],
      ['MSG', 'broken.msg', '', []],
      ['EML', 'forwarded.eml', 'Forwarded as a file', []],
    ]);
    const [phish, nested, ev1, ev2, broken, file] = entries;
    // The documented keys, in the documented order, come first.
    expect(Object.keys(phish).slice(0, 11)).toEqual(['type', 'subject', 'from', 'to', 'date', 'text', 'html', 'regex', 'regex_from_text_part', 'id', 'name']);
    expect(phish).toMatchObject({
      from: 'it@login-microsoft-verify.example',
      to: `${ALICE},${BOB}`,
      date: 'Thu, 4 Jul 2024 12:11:29 +0530',
      html: '<p>Click <a href="http://evil.example/a">here</a></p>',
      regex: { ips: [], urls: ['http://evil.example/a'] },
      regex_from_text_part: { ips: ['192.168.10.5'], urls: ['http://login-microsoft-verify.example/reset'] },
      mailbox: SOC,
      mail_id: report.id,
    });
    expect(phish.text).toContain('Go to http://login-microsoft-verify.example/reset');
    expect(phish.attachments.map((a) => a.name)).toEqual(['deeper.eml']);
    expect(nested).toMatchObject({ from: 'deep@evil.example', regex_from_text_part: { ips: ['10.0.0.1'], urls: [] }, id: phish.id });
    expect(ev1).toMatchObject({ from: 'hr@payroll-update.example', to: `${ALICE},${BOB}`, regex_from_text_part: { ips: ['10.1.2.3'], urls: ['http://payroll-update.example/join'] } });
    expect(ev1.html).toContain('<a href="http://payroll-update.example/join">');
    expect(ev2).toMatchObject({ subject: 'Second reminder', text: 'Still waiting' });
    expect(broken.error).toMatch(/^Failed to parse "broken\.msg"/);
    expect(broken).toMatchObject({ regex: { ips: [], urls: [] }, regex_from_text_part: { ips: [], urls: [] } });
    expect(file).toMatchObject({ from: 'x@forward.example', regex_from_text_part: { ips: ['172.16.0.9'] } });
    // Item and file attachments have distinct Graph ids; the nested email carries its container's.
    expect(new Set([phish.id, ev1.id, broken.id, file.id]).size).toBe(4);

    // The inline picture was never downloaded: it cannot be a mail file. The .txt was sniffed and dropped.
    // (A body may be opened twice when both in-memory slots are busy, e.g. while the first file of
    // a type loads its reader: withMailFileBytes cancels and reopens it. Count attachments, not requests.)
    const paths: string[] = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries.map((e) => e.path);
    expect(new Set(paths.filter((p) => p.endsWith('/$value'))).size).toBe(5);
  });

  it.skipIf(!existsSync(CORPUS_MSG))('follows a real .msg (with its own attached item) inside an attached email', async () => {
    const carrier = mime({ subject: 'Carrier', text: 'has a msg', parts: [{ name: 'outlook.msg', contentType: 'application/vnd.ms-outlook', content: readFileSync(CORPUS_MSG) }] });
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'report', parts: [{ name: 'Carrier', rfc822: true, content: carrier }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id });
    expect(doc.output_message).toBe('Extracted data from 1 attached email files. Files: Carrier');
    expect(jsonOf(doc).map((e) => [e.type, e.name, e.subject, e.parents])).toEqual([
      ['EML', 'Carrier', 'Carrier', []],
      ['MSG', 'outlook.msg', 'Attach sample.eml', ['Carrier']],
      ['MSG', 'sample.eml (555 バイト).msg', 'sample', ['Carrier', 'outlook.msg']],
    ]);
    expect(jsonOf(doc)[1].from).toBe('hmailuser@hmailserver.test');
  });

  it('dissects the phish attached to the demo report: sender, subject and its URL (loose documented regex form)', async () => {
    const g = h.client();
    const inbox = await g.get<{ value: Array<{ id: string; subject: string; internetMessageId: string }> }>(`/users/${REPORTS}/mailFolders/inbox/messages`);
    const report = inbox.value.find((m) => m.subject.startsWith('Report:'))!;
    const doc = await invoke(h, extractDataFromAttachedEml, {
      'Search In Mailbox': REPORTS,
      'Folder Name': 'Inbox',
      'Mail IDs': report.internetMessageId.slice(1, -1),
      'Regex Map JSON': '{urls: https?://[^\\\\s"<>]+}',
    });
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe('Extracted data from 1 attached email files. Files: Action required.eml');
    const [phish] = jsonOf(doc);
    expect(phish.subject).toBe('Action required: your mailbox password expires today');
    expect(phish.from).toMatch(/@/);
    expect(phish.regex_from_text_part.urls).toContain(PHISH_URL);
  });

  it('finishes a catastrophic-backtracking pattern promptly on a hostile body (RE2), and refuses lookaround naming the parameter', { timeout: 10_000 }, async () => {
    const hostile = mime({ subject: 'ReDoS', text: `${'a'.repeat(50_000)}!` });
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'carrier', parts: [{ name: 'hostile.eml', rfc822: true, content: hostile }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id, 'Regex Map JSON': JSON.stringify({ evil: '(a+)+$', evil2: '(a|aa)*b' }) });
    expect(doc.is_success).toBe(true);
    const [entry] = jsonOf(doc);
    expect(entry.regex_from_text_part).toEqual({ evil: [], evil2: [] });

    const bad = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id, 'Regex Map JSON': '{"ips": "(?<=x)\\\\d+"}' });
    expect(bad).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(bad.output_message).toMatch(/^Failed to execute action, the error is: Invalid regular expression in "Regex Map JSON" \(key "ips"\): lookaround/);
    const notJson = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id, 'Regex Map JSON': '[1, 2]' });
    expect(notJson.output_message).toMatch(/^Failed to execute action, the error is: Invalid value for "Regex Map JSON"/);
  });

  it('reaches the documented messages: ids not found, no emails, no mailboxes, folder not found', async () => {
    const report = await seedReport(SOC, 'Inbox/Phishing');
    const some = await invoke(h, extractDataFromAttachedEml, {
      'Search In Mailbox': `${SOC}, ${GHOST}`, 'Folder Name': 'Inbox/Phishing', 'Mail IDs': `${report.id}, <nope@nowhere.example>`,
    });
    expect(some.is_success).toBe(true);
    expect(some.output_message.split('\n').slice(0, 3)).toEqual([
      'Extracted data from 3 attached email files. Files: Verify your password.eml, invite.ics, forwarded.eml',
      `Failed to find emails in ${SOC} with the following mail ids: <nope@nowhere.example>`,
      `Mailbox ${GHOST} was not found.`,
    ]);
    // Without a folder the whole mailbox is searched.
    const anywhere = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': report.internetMessageId });
    expect(anywhere.is_success).toBe(true);

    const none = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': '<nope@nowhere.example>' });
    expect(none).toMatchObject({ is_success: false });
    expect(none.output_message).toBe(`Failed to find any emails using the provided criteria!\nFailed to find emails in ${SOC} with the following mail ids: <nope@nowhere.example>`);

    const ghosts = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': `${GHOST}, nobody@contoso.example`, 'Mail IDs': report.id });
    expect(ghosts).toMatchObject({ is_success: false, output_message: `Failed to find any of the provided mailboxes: ${GHOST}, nobody@contoso.example` });

    const folder = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': ALICE, 'Folder Name': 'Inbox/Nope', 'Mail IDs': report.id });
    expect(folder).toMatchObject({
      is_success: false,
      output_message: `Action failed to run because the provided mailbox folder name Inbox/Nope was not found in the mailbox ${ALICE}`,
    });
  });

  it('fails with a clear reason when the emails carry no mail file, and when every mail file is broken', async () => {
    const plain = await h.deliver(SOC, 'Inbox', mime({ subject: 'plain', parts: [{ name: 'a.pdf', contentType: 'application/pdf', content: '%PDF-1.4 nothing' }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': plain.id });
    expect(doc).toMatchObject({ is_success: false, json_result: [] });
    expect(doc.output_message).toBe(`Failed to execute action, the error is: the found emails have no attached .eml, .msg or .ics file (mail ids: ${plain.id})`);

    const onlyBroken = await h.deliver(SOC, 'Inbox', mime({ subject: 'broken', parts: [{ name: 'x.msg', content: BROKEN_MSG }] }));
    const bad = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': onlyBroken.id });
    expect(bad.is_success).toBe(false);
    expect(bad.output_message).toMatch(/^Failed to execute action, the error is: x\.msg: Failed to parse "x\.msg": /);
    expect(jsonOf(bad)[0]).toMatchObject({ type: 'MSG', name: 'x.msg', error: expect.stringMatching(/^Failed to parse/) });
  });

  it('accounts for every attached email: an empty or headless one is an error entry with its size and hashes, counted in the message', async () => {
    const carrier = mime({ subject: 'Carrier', text: 'carries a broken email', parts: [{ name: 'inner-empty.eml', rfc822: true, content: '' }] });
    const report = await h.deliver(SOC, 'Inbox', mime({
      subject: 'report',
      parts: [
        { name: 'Good.eml', rfc822: true, content: forwarded },
        { name: 'Empty', rfc822: true, content: '' },
        { name: 'Headless', rfc822: true, content: 'just a pasted body, no header' },
        { name: 'Carrier.eml', rfc822: true, content: carrier },
      ],
    }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': report.id, 'Regex Map JSON': REGEX_MAP });
    expect(doc.is_success).toBe(true);
    const lines = doc.output_message.split('\n');
    expect(lines[0]).toBe('Extracted data from 2 attached email files. Files: Good.eml, Carrier.eml');
    expect(lines[1]).toBe(
      'Failed to extract data from 3 attached file(s): Empty (Failed to parse "Empty": the file is empty); ' +
        'Headless (Failed to parse "Headless": no header field before the body: not an email); ' +
        'Carrier.eml > inner-empty.eml (Failed to parse "inner-empty.eml": the file holds only blank lines)',
    );
    const entries = jsonOf(doc);
    expect(entries.map((e) => [e.name, e.parents, e.error_code ?? null])).toEqual([
      ['Good.eml', [], null],
      ['Empty', [], 'EMPTY'],
      ['Headless', [], 'MALFORMED'],
      ['Carrier.eml', [], null],
      ['inner-empty.eml', ['Carrier.eml'], 'EMPTY'],
    ]);
    const digest = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
    const [, empty, headless, , inner] = entries;
    expect(empty).toMatchObject({ type: 'EML', content_type: 'message/rfc822', size: 0, md5: digest('md5', ''), sha1: digest('sha1', ''), sha256: digest('sha256', ''), subject: '', from: '' });
    expect(empty.regex).toEqual({ ips: [], urls: [] });
    expect(headless).toMatchObject({ size: 29, sha256: digest('sha256', 'just a pasted body, no header') });
    // postal-mime gives the empty body of a message/rfc822 part as one line end.
    expect(inner).toMatchObject({ type: 'EML', content_type: 'message/rfc822', size: 1, sha256: digest('sha256', '\n'), id: entries[3].id });
  });

  it('gives URLs found in the HTML body with their character references decoded, and the sender of a malformed From', async () => {
    const phish = mime({
      from: 'Audien Atom - Hearing Aid  ,_<avag@4mw0n1x20iiup50kpahu.example>',
      subject: '=?UTF-8?B?WW91ciBBY2NvdW50IEJpbGxpbmcgTm90aWNl==?=',
      text: 'plain',
      html: '<a href="https://evil.example/login?u=1&amp;next=%2F&amp;t=9">Sign in</a> or &lt;https://evil.example/b&gt;',
    });
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'report', parts: [{ name: 'phish.eml', rfc822: true, content: phish }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id, 'Regex Map JSON': REGEX_MAP });
    const [entry] = jsonOf(doc);
    expect(entry.regex.urls).toEqual(['https://evil.example/login?u=1&next=%2F&t=9', 'https://evil.example/b']);
    // The HTML itself is given as the email has it.
    expect(entry.html).toContain('&amp;next=');
    expect([entry.from, entry.subject]).toEqual(['avag@4mw0n1x20iiup50kpahu.example', 'Your Account Billing Notice']);
    expect([entry.cc, entry.reply_to, entry.sender]).toEqual(['', '', '']);
  });

  it('gives Cc, Reply-To and Sender beside the documented fields', async () => {
    const phish = [
      'From: "PayPal" <service@paypa1.example>',
      'Sender: relay@bulk.example',
      'Reply-To: Doe, John <collector@gmail.example>',
      'To: victim@contoso.example',
      'Cc: a@contoso.example, B <b@contoso.example>',
      'Subject: pay',
      'MIME-Version: 1.0',
      'Content-Type: text/plain',
      '',
      'pay now',
      '',
    ].join('\r\n');
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'report', parts: [{ name: 'phish.eml', rfc822: true, content: phish }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id });
    const [entry] = jsonOf(doc);
    expect(entry).toMatchObject({ from: 'service@paypa1.example', cc: 'a@contoso.example,b@contoso.example', reply_to: 'collector@gmail.example', sender: 'relay@bulk.example' });
  });

  it('passes over an attached contact (a vCard item): it holds no mail file', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'a contact', parts: [{ name: 'Good.eml', rfc822: true, content: forwarded }] }));
    const u = encodeURIComponent;
    await h.admin('POST', `/users/${u(SOC)}/messages/${u(m.id)}/attachments?name=${u('Jane Doe')}&kind=item&contentType=${u('text/vcard')}`, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n', 'text/vcard');
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id });
    expect(doc.output_message).toBe('Extracted data from 1 attached email files. Files: Good.eml');
    expect((jsonOf(doc)).map((e) => e.name)).toEqual(['Good.eml']);
  });

  it('fails naming the reason when the one attached email cannot be parsed, instead of saying there is none', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'only a broken email', parts: [{ name: 'Empty', rfc822: true, content: '' }] }));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': m.id });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe('Failed to execute action, the error is: Empty: Failed to parse "Empty": the file is empty');
    expect(doc.json_result).toEqual([expect.objectContaining({ name: 'Empty', error_code: 'EMPTY', size: 0 })]);
  });

  it('names the parameter of a bad value before touching Graph', async () => {
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': ' , ' });
    expect(doc.output_message).toBe('Failed to execute action, the error is: Parameter "Mail IDs" holds no mail id (give Graph ids or internetMessageIds, comma-separated).');
    const folder = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': 'x@y', 'Folder Name': ' / ' });
    expect(folder.output_message).toMatch(/Invalid value for parameter "Folder Name"/);
  });
});
