/** Send Email against the emulator's mail flow: recipients checked first, attachments inline or by upload session, the sent message as the JSON result. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendEmail } from '../../src/actions/send-email.ts';
import { ALICE, BOB, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';

let h: MailHarness;
let dir: string;
beforeAll(async () => {
  h = await mailHarness();
  dir = await mkdtemp(join(tmpdir(), 'send-email-'));
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

interface Listed { value: Array<{ id: string; subject?: string; hasAttachments?: boolean }> }
interface AttachmentRow { id: string; name: string; size: number }

async function inboxOf(mailbox: string, subject: string) {
  const graph = h.client();
  const list = await graph.get<Listed>(`/users/${mailbox}/mailFolders/inbox/messages`, { query: { $select: 'id,subject,hasAttachments' } });
  return list.value.filter((m) => m.subject === subject);
}

describe('Send Email', () => {
  it('sends text with a small and a large attachment; the JSON result is the sent message by its immutable id', async () => {
    const small = join(dir, 'note.txt');
    const big = join(dir, 'evidence.bin');
    await writeFile(small, 'see the evidence');
    const bytes = randomBytes(3_500_000);
    await writeFile(big, bytes);
    const doc = await invoke(h, sendEmail, {
      'Send From': SOC,
      Subject: 'Phishing warning',
      'Send to': `Alice <${ALICE}>`,
      CC: BOB,
      'Mail Content': 'Do not click the link.',
      'Attachments Paths': `${small}, ${big}`,
    });
    expect(doc, doc.output_message).toMatchObject({ is_success: true, output_message: 'Email was sent successfully.' });
    const sent = doc.json_result as { id: string; subject?: string };
    expect(sent.id).toBeTruthy();
    expect(sent.subject).toBe('Phishing warning');
    const [received] = await inboxOf(ALICE, 'Phishing warning');
    expect(received?.hasAttachments).toBe(true);
    expect(await inboxOf(BOB, 'Phishing warning')).toHaveLength(1);
    const graph = h.client();
    const atts = await graph.get<{ value: AttachmentRow[] }>(`/users/${ALICE}/messages/${received.id}/attachments`, { query: { $select: 'id,name,size' } });
    expect(atts.value.map((a) => a.name).sort()).toEqual(['evidence.bin', 'note.txt']);
    const bigRow = atts.value.find((a) => a.name === 'evidence.bin')!;
    const res = await graph.request<Uint8Array>({ method: 'GET', path: `/users/${ALICE}/messages/${received.id}/attachments/${bigRow.id}/$value`, responseType: 'buffer', mailbox: ALICE });
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('names every missing attachment and sends nothing', async () => {
    const doc = await invoke(h, sendEmail, { 'Send From': SOC, Subject: 'x', 'Send to': ALICE, 'Mail Content': 'x', 'Attachments Paths': `${join(dir, 'nope-1.pdf')}, ${join(dir, 'nope-2.pdf')}` });
    expect(doc).toMatchObject({ is_success: false, output_message: `Action failed to run because specified attachments were not found: ${join(dir, 'nope-1.pdf')}, ${join(dir, 'nope-2.pdf')}` });
    expect(await inboxOf(ALICE, 'x')).toEqual([]);
  });

  it('a bad recipient is an error naming the parameter and the address, before anything is sent', async () => {
    const doc = await invoke(h, sendEmail, { 'Send From': SOC, Subject: 'bad', 'Send to': ALICE, CC: 'not-an-address', 'Mail Content': 'x' });
    expect(doc.is_success).toBe(false);
    expect(doc.output_message).toMatch(/^Failed to execute action, the error is: .*CC.*not-an-address/);
    expect(await inboxOf(ALICE, 'bad')).toEqual([]);
  });
});
