/** Save Email To The Case against the emulator: the email as .eml, only its attachments, and every documented message. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveEmailToTheCase } from '../../src/actions/save-email-to-the-case.ts';
import { ALICE, GHOST, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';
import { mime, u } from './helpers.ts';
import { jsonOf, several } from '../helpers/results.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const attached = mime({ subject: 'Attached phish', text: 'inner body' });

async function seed(subject = 'Invoice / Q3 \\ "urgent"?', folder = 'Inbox') {
  return h.deliver(SOC, folder, mime({
    subject,
    html: '<p>see attachments</p>',
    parts: [
      { name: 'invoice.pdf', contentType: 'application/pdf', content: '%PDF-1.4 invoice' },
      { name: 'Attached phish', rfc822: true, content: attached },
      { name: 'logo.png', contentType: 'image/png', content: Buffer.from('89504e47', 'hex'), inline: true },
    ],
  }));
}

describe('Save Email To The Case', () => {
  it('saves the email as EMAIL_SUBJECT.eml (a safe file name) with the documented JSON result', async () => {
    const m = await seed();
    const doc = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': m.id });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED', output_message: 'Email successfully saved!' });
    const [file] = doc.case_wall.attachments;
    expect(file.filename).toBe('Invoice _ Q3 _ _urgent__.eml');
    const eml = decode(file.content_base64);
    expect(eml).toMatch(/^From: /);
    expect(eml).toContain(`Message-ID: ${m.internetMessageId}`);
    expect(eml).toContain('filename="invoice.pdf"');
    const json = jsonOf(doc);
    expect(json).toMatchObject({
      id: m.id,
      internetMessageId: m.internetMessageId,
      subject: 'Invoice / Q3 \\ "urgent"?',
      hasAttachments: true,
      eml_info: 'Invoice _ Q3 _ _urgent__.eml',
      body: { contentType: 'html' },
      from: { emailAddress: { address: 'sender@contoso.example' } },
      parentFolderId: m.parentFolderId,
    });
    expect(Object.keys(json).filter((k) => k.startsWith('@odata'))).toEqual([]);
    for (const key of ['createdDateTime', 'receivedDateTime', 'sentDateTime', 'conversationId', 'webLink', 'toRecipients', 'flag']) expect(json).toHaveProperty(key);
  });

  it('saves only the attachments: every non-inline one, an attached email (item) as .eml', async () => {
    const m = await seed('With attachments', 'Inbox/Phishing');
    const doc = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox/Phishing', 'Mail ID': m.internetMessageId, 'Save Only Email Attachments': 'true' });
    expect(doc).toMatchObject({ is_success: true, output_message: 'Successfully saved the following attachments: invoice.pdf, Attached phish.eml' });
    const files = doc.case_wall.attachments;
    expect(files.map((f) => f.filename)).toEqual(['invoice.pdf', 'Attached phish.eml']);
    expect(decode(files[0].content_base64)).toBe('%PDF-1.4 invoice');
    expect(decode(files[1].content_base64)).toContain('Subject: Attached phish');
    expect(doc.json_result).toMatchObject({ id: m.id, saved_attachments: ['invoice.pdf', 'Attached phish.eml'], not_found_attachments: [] });
  });

  it('saves the named attachments (inline ones too when named) and names the ones not found', async () => {
    const m = await seed('Pick');
    const doc = await invoke(h, saveEmailToTheCase, {
      'Search In Mailbox': SOC, 'Mail ID': m.id, 'Save Only Email Attachments': 'true', 'Attachment To Save': 'LOGO.png, missing.docx, Attached phish.eml',
    });
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe(
      `Successfully saved the following attachments: logo.png, Attached phish.eml\nThe following attachments were not found in email with mail id: ${m.id}: missing.docx`,
    );
    const none = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': m.id, 'Save Only Email Attachments': 'true', 'Attachment To Save': 'missing.docx' });
    expect(none).toMatchObject({ is_success: false, output_message: `The following attachments were not found in email with mail id: ${m.id}: missing.docx` });
    expect(none.case_wall.attachments).toEqual([]);
    // The filter applies only with Save Only Email Attachments.
    const whole = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': m.id, 'Attachment To Save': 'missing.docx' });
    expect(whole.output_message).toBe('Email successfully saved!');
  });

  it('names twin case-wall files uniquely (-2, -3, case-insensitively), in the message and the JSON result too', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({
      subject: 'Twins',
      parts: [
        { name: 'report.pdf', contentType: 'application/pdf', content: '%PDF one' },
        { name: 'REPORT.pdf', contentType: 'application/pdf', content: '%PDF two' },
        { name: 'report.pdf', contentType: 'application/pdf', content: '%PDF three' },
        { name: 'report-2.pdf', contentType: 'application/pdf', content: '%PDF four' },
      ],
    }));
    const doc = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': m.id, 'Save Only Email Attachments': 'true' });
    const names = ['report.pdf', 'REPORT-2.pdf', 'report-3.pdf', 'report-2-2.pdf'];
    expect(doc).toMatchObject({ is_success: true, output_message: `Successfully saved the following attachments: ${names.join(', ')}` });
    expect(doc.case_wall.attachments.map((f) => [f.title, f.filename])).toEqual(names.map((n) => [n, n]));
    expect(doc.case_wall.attachments.map((f) => decode(f.content_base64))).toEqual(['%PDF one', '%PDF two', '%PDF three', '%PDF four']);
    expect(doc.json_result).toMatchObject({ saved_attachments: names });

    // Whole emails with one subject: one .eml each.
    const a = await seed('Same subject');
    const b = await seed('Same subject');
    const emails = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': `${a.id}, ${b.id}` });
    expect(emails.case_wall.attachments.map((f) => f.filename)).toEqual(['Same subject.eml', 'Same subject-2.eml']);
    expect(several(jsonOf(emails)).map((j) => j.eml_info)).toEqual(['Same subject.eml', 'Same subject-2.eml']);
  });

  it('fails on a missing mailbox, a missing folder, an unknown mail id, several mailboxes, and an email without attachments', async () => {
    const m = await seed('Failures');
    const ghost = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': GHOST, 'Mail ID': m.id });
    expect(ghost).toMatchObject({ is_success: false, execution_state: 'FAILED', output_message: `Mailbox ${GHOST} was not found.` });
    const folder = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox/Nope', 'Mail ID': m.id });
    expect(folder).toMatchObject({ is_success: false, output_message: `Action failed to run because the provided mailbox folder name Inbox/Nope was not found in the mailbox ${SOC}` });
    const wrongFolder = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox/Reviewed', 'Mail ID': m.id });
    expect(wrongFolder).toMatchObject({
      is_success: false,
      output_message: `Failed to execute action, the error is: no email with mail id ${m.id} was found in the folder Inbox/Reviewed of mailbox ${SOC}.`,
    });
    const two = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': `${SOC}, ${ALICE}`, 'Mail ID': m.id });
    expect(two.output_message).toBe(`Failed to execute action, the error is: Parameter "Search In Mailbox" takes one mailbox, got 2: ${SOC}, ${ALICE}.`);
    const plain = await h.deliver(SOC, 'Inbox', mime({ subject: 'no attachments' }));
    const bare = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': plain.id, 'Save Only Email Attachments': 'true' });
    expect(bare).toMatchObject({ is_success: false, output_message: `Failed to execute action, the error is: the email with mail id ${plain.id} has no attachments to save.` });
  });

  it('saves several emails of a comma list (naming ids not found), and attachments added after delivery', async () => {
    const a = await seed('First');
    const b = await seed('Second');
    const doc = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': `${a.id}, ${b.internetMessageId}, <gone@nowhere.example>` });
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe(`Email successfully saved!\nNo email was found in ${SOC} with the following mail ids: <gone@nowhere.example>`);
    expect(doc.case_wall.attachments.map((f) => f.filename)).toEqual(['First.eml', 'Second.eml']);
    expect(several(jsonOf(doc)).map((j) => j.id)).toEqual([a.id, b.id]);

    // A large attachment added after delivery streams through the same path as every other one.
    await h.admin('POST', `/users/${u(SOC)}/messages/${u(a.id)}/attachments?name=${u('big.bin')}`, 'x'.repeat(100_000), 'application/octet-stream');
    const big = await invoke(h, saveEmailToTheCase, { 'Search In Mailbox': SOC, 'Mail ID': a.id, 'Save Only Email Attachments': 'true', 'Attachment To Save': 'big.bin' });
    expect(big.output_message).toBe('Successfully saved the following attachments: big.bin');
    expect(Buffer.from(big.case_wall.attachments[0].content_base64, 'base64').length).toBe(100_000);
  });
});
