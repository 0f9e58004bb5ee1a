/** Send Email HTML and Send Vote Email against the emulator: templates, sanitised content, GCS and local attachments, voting. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendEmailHtml } from '../../src/actions/send-email-html.ts';
import { answerRefOf } from '../../src/mail/compose/vote.ts';
import { sendVoteEmail } from '../../src/actions/send-vote-email.ts';
import { VERB_STREAM_PROPERTY_ID, verbStream } from '../../src/mail/compose/verb-stream.ts';
import { ALICE, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';

let h: MailHarness;
let dir: string;
const savedEmulatorHost = process.env.STORAGE_EMULATOR_HOST;
beforeAll(async () => {
  h = await mailHarness();
  process.env.STORAGE_EMULATOR_HOST = h.emu.url;
  dir = await mkdtemp(join(tmpdir(), 'send-html-'));
});
afterAll(async () => {
  if (savedEmulatorHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
  else process.env.STORAGE_EMULATOR_HOST = savedEmulatorHost;
  await h.close();
});
beforeEach(async () => h.reset());

interface Received { id: string; subject?: string; body?: { contentType?: string; content?: string }; hasAttachments?: boolean }

async function received(subject: string): Promise<Received> {
  const list = await h.client().get<{ value: Received[] }>(`/users/${ALICE}/mailFolders/inbox/messages`, { query: { $select: 'id,subject,body,hasAttachments' } });
  const hit = list.value.find((m) => m.subject === subject);
  if (!hit) throw new Error(`no "${subject}" in ${ALICE}'s Inbox`);
  return hit;
}

describe('Send Email HTML', () => {
  it('the built-in template with the subject escaped and Mail Content sanitised; attachments from a GCS bucket', async () => {
    await h.admin('POST', '/gcs/buckets', { name: 'soc-files' });
    await new Storage({ projectId: 'test' }).bucket('soc-files').file('cases/42/ioc.txt').save('1.2.3.4');
    const subject = 'Warning <b>phish</b> & "invoice"';
    const doc = await invoke(h, sendEmailHtml, {
      'Send From': SOC,
      Subject: subject,
      'Send to': ALICE,
      'Mail Content': '<p onclick="steal()">Do <b>not</b> open it.</p><script>alert(1)</script><a href="javascript:alert(1)">x</a><a href="https://intranet.example/case/42">case</a>',
      'Attachments Paths': 'gs://soc-files/cases/42/ioc.txt',
    });
    expect(doc, doc.output_message).toMatchObject({ is_success: true, output_message: 'Email was sent successfully.' });
    const m = await received(subject);
    const html = m.body?.content ?? '';
    expect(html).toContain('Warning &lt;b&gt;phish&lt;/b&gt; &amp; &quot;invoice&quot;');
    expect(html).toContain('Do <b>not</b> open it.');
    expect(html).toContain('href="https://intranet.example/case/42"');
    expect(html).not.toMatch(/<script|onclick|javascript:/i);
    expect(m.hasAttachments).toBe(true);
  });

  it('an unknown template is the documented failure; a missing attachment is named', async () => {
    const base = { 'Send From': SOC, Subject: 's', 'Send to': ALICE, 'Mail Content': 'x', 'Attachment Location': 'Local File System' };
    expect(await invoke(h, sendEmailHtml, { ...base, 'Email HTML Template': 'No such template' })).toMatchObject({ is_success: false, output_message: 'Action failed to run because the HTML template was not specified.' });
    const missing = join(dir, 'missing.pdf');
    expect(await invoke(h, sendEmailHtml, { ...base, 'Attachments Paths': missing })).toMatchObject({ is_success: false, output_message: `Action failed to run because the following specified attachments were not found: ${missing}` });
    const gone = await invoke(h, sendEmailHtml, { ...base, 'Attachment Location': 'GCP Bucket', 'Attachments Paths': 'gs://soc-files/nope.txt' });
    expect(gone.is_success).toBe(false);
  });

  it('a user template from the Templates Folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'templates-'));
    await writeFile(join(folder, 'Notice.html'), '<html><body><h1>NOTICE: {{subject}}</h1><div>{{content}}</div></body></html>');
    const doc = await invoke(h, sendEmailHtml, { 'Send From': SOC, Subject: 'Patch now', 'Send to': ALICE, 'Mail Content': '<i>today</i>', 'Email HTML Template': 'Notice', 'Attachment Location': 'Local File System' }, null, {}, { 'Templates Folder': folder });
    expect(doc, doc.output_message).toMatchObject({ is_success: true });
    expect((await received('Patch now')).body?.content).toContain('<h1>NOTICE: Patch now</h1><div><i>today</i></div>');
  });
});

describe('inline images', () => {
  it('an <img src="cid:NAME"> in Mail Content sends that attachment inline with its contentId', async () => {
    const logo = join(dir, 'logo.png');
    await writeFile(logo, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const doc = await invoke(h, sendEmailHtml, { 'Send From': SOC, Subject: 'With logo', 'Send to': ALICE, 'Mail Content': '<p><img src="cid:logo.png" alt="SOC"> Stay safe.</p>', 'Attachments Paths': logo, 'Attachment Location': 'Local File System' });
    expect(doc, doc.output_message).toMatchObject({ is_success: true });
    const m = await received('With logo');
    expect(m.body?.content).toContain('src="cid:logo.png"');
    const atts = await h.client().get<{ value: Array<{ name: string; isInline: boolean; contentId?: string }> }>(`/users/${ALICE}/messages/${m.id}/attachments`, { query: { $select: 'name,isInline' } });
    expect(atts.value.map((a) => [a.name, a.isInline])).toEqual([['logo.png', true]]);
  });
});

describe('Send Vote Email', () => {
  it('answer links for every client and Outlook voting buttons on the sent message', async () => {
    const doc = await invoke(h, sendVoteEmail, { 'Send From': SOC, Subject: 'Purge the phish?', 'Send to': ALICE, 'Mail Content': 'Approve the purge of 4 copies.', 'Structure of voting options': 'Approve/Reject', 'Attachment Location': 'Local File System' });
    expect(doc, doc.output_message).toMatchObject({ is_success: true, output_message: 'Email was sent successfully.' });
    const html = (await received('Purge the phish?')).body?.content ?? '';
    // The link's body: the option, then the question's reference, which the waiting action reads back.
    expect(html).toMatch(new RegExp(`href="mailto:${SOC}\\?subject=Approve%3A%20Purge%20the%20phish%3F&amp;body=Approve%0A%0A\\(ref%20[0-9a-f]{8}\\)"`));
    expect(answerRefOf(html)).toMatch(/^[0-9a-f]{8}$/);
    expect(html).toContain('>Reject</a>');
    const sentId = (doc.json_result as { id: string }).id;
    const withProps = await h.client().get<{ singleValueExtendedProperties?: Array<{ id: string; value: string }> }>(`/users/${SOC}/messages/${sentId}`, {
      query: { $expand: `singleValueExtendedProperties($filter=id eq '${VERB_STREAM_PROPERTY_ID}')` },
    });
    const prop = withProps.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === VERB_STREAM_PROPERTY_ID.toLowerCase());
    expect(Buffer.from(prop?.value ?? '', 'base64').equals(verbStream(['Approve', 'Reject']))).toBe(true);
  });

  it('its documented failures: no such template, missing attachments', async () => {
    const base = { 'Send From': SOC, Subject: 'v', 'Send to': ALICE, 'Mail Content': 'x', 'Attachment Location': 'Local File System' };
    expect(await invoke(h, sendVoteEmail, { ...base, 'Email HTML Template': 'Nope' })).toMatchObject({ is_success: false, output_message: 'Action failed to run because the HTML template was not specified.' });
    const missing = join(dir, 'vote-missing.pdf');
    expect(await invoke(h, sendVoteEmail, { ...base, 'Attachments Paths': missing })).toMatchObject({ is_success: false, output_message: `Action failed to run because the following specified attachments were not found: ${missing}` });
  });
});
