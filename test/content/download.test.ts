/** Download Attachments From Email against the emulator: local and GCS destinations, hostile names, EML extraction, async batches. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadAttachmentsFromEmail } from '../../src/actions/download-attachments-from-email.ts';
import { mailFileMemory } from '../../src/mail/attached-mail.ts';
import { ALICE, BOB, CAROL, DAVE, GHOST, REPORTS, SOC, invoke, invokeAll, mailHarness, type MailHarness } from '../mail/helpers.ts';
import { mime, u } from './helpers.ts';
import type { RequestLogSnapshot, BucketList } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

let h: MailHarness;
let dir: string;
const savedEmulatorHost = process.env.STORAGE_EMULATOR_HOST;
beforeAll(async () => {
  h = await mailHarness();
  process.env.STORAGE_EMULATOR_HOST = h.emu.url;
});
afterAll(async () => {
  if (savedEmulatorHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
  else process.env.STORAGE_EMULATOR_HOST = savedEmulatorHost;
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
  dir = await mkdtemp(path.join(tmpdir(), 'content-download-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const local = (extra: Record<string, string> = {}) => ({ 'Download Destination': 'Local File System', 'Download Path': path.join(dir, 'out'), ...extra });
const inner = mime({
  subject: 'Inner phish',
  parts: [
    { name: 'payload.js', contentType: 'application/javascript', content: 'alert(1)' },
    { name: 'deeper.eml', rfc822: true, content: mime({ subject: 'Deeper', parts: [{ name: 'deep.txt', contentType: 'text/plain', content: 'deep' }] }) },
  ],
});

describe('Download Attachments From Email', () => {
  it('streams file and item attachments to the local file system; hostile names stay inside the download path', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({
      subject: 'hostile names',
      parts: [
        { name: '../../etc/passwd', contentType: 'text/plain', content: 'root:x:0:0' },
        { name: 'C:\\evil', contentType: 'text/plain', content: 'evil' },
        { name: 'CON.txt', contentType: 'text/plain', content: 'device' },
        { name: 'a/b\\c.txt', contentType: 'text/plain', content: 'slashes' },
        { name: 'Inner phish', rfc822: true, content: inner },
      ],
    }));
    const docs = await invokeAll(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    const out = path.join(dir, 'out');
    const rows = jsonOf(doc);
    expect(rows.map((r) => [r.attachment_name, path.relative(out, r.downloaded_path)])).toEqual([
      ['../../etc/passwd', '_.._.._etc_passwd'],
      ['C:\\evil', 'C__evil'],
      ['CON.txt', '_CON.txt'],
      ['a/b\\c.txt', 'a_b_c.txt'],
      ['Inner phish.eml', 'Inner phish.eml'],
    ]);
    expect(Object.keys(rows[0]).slice(0, 2)).toEqual(['attachment_name', 'downloaded_path']);
    expect(rows.every((r) => r.mail_id === m.id)).toBe(true);
    expect(doc.output_message).toBe(`Downloaded 5 attachments. Files: ${rows.map((r) => r.downloaded_path).join(', ')}.`);
    expect((await readdir(out)).sort()).toEqual(['C__evil', 'Inner phish.eml', '_.._.._etc_passwd', '_CON.txt', 'a_b_c.txt']);
    expect(await readdir(dir)).toEqual(['out']);
    expect(await readFile(path.join(out, '_.._.._etc_passwd'), 'utf8')).toBe('root:x:0:0');
    expect(await readFile(path.join(out, 'Inner phish.eml'), 'utf8')).toContain('Subject: Inner phish');
  });

  it('with "Download Attachments from EML" also takes out the attachments of attached emails, nested ones included', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({
      subject: 'report with eml',
      parts: [
        { name: 'Inner phish', rfc822: true, content: inner },
        { name: 'as-file.eml', contentType: 'application/octet-stream', content: mime({ subject: 'file eml', parts: [{ name: 'in-file.txt', contentType: 'text/plain', content: 'from the file eml' }] }) },
      ],
    }));
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.internetMessageId, 'Download Attachments from EML': 'true', ...local() });
    expect(doc.is_success).toBe(true);
    const rows = jsonOf(doc);
    expect(rows.map((r) => [r.attachment_name, r.from_files ?? []])).toEqual([
      ['Inner phish.eml', []],
      ['payload.js', ['Inner phish.eml']],
      ['deeper.eml', ['Inner phish.eml']],
      ['deep.txt', ['Inner phish.eml', 'deeper.eml']],
      ['as-file.eml', []],
      ['in-file.txt', ['as-file.eml']],
    ]);
    expect(await readFile(path.join(dir, 'out', 'deep.txt'), 'utf8')).toBe('deep');
    expect(doc.output_message).toMatch(/^Downloaded 6 attachments\. Files: /);
  });

  it('never overwrites with "Download Attachments to unique path?"; overwrites without it', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'twice', parts: [{ name: 'report.pdf', contentType: 'application/pdf', content: '%PDF new' }] }));
    const out = path.join(dir, 'out');
    await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    await writeFile(path.join(out, 'report.pdf'), 'analyst notes');
    const unique = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, 'Download Attachments to unique path?': 'true', ...local() });
    const [row] = jsonOf(unique);
    expect(path.basename(row.downloaded_path)).toMatch(/^report-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d_\d{3}\.pdf$/);
    expect(await readFile(path.join(out, 'report.pdf'), 'utf8')).toBe('analyst notes');
    await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(await readFile(path.join(out, 'report.pdf'), 'utf8')).toBe('%PDF new');
  });

  it('processes mailboxes in asynchronous batches, continuing from the state, and sums them up at the end', async () => {
    const raw = mime({ subject: 'Campaign 7', messageId: '<campaign7@evil.example>', from: 'boss@evil.example', parts: [{ name: 'invoice.html', contentType: 'text/html', content: '<form>' }] });
    for (const mb of [ALICE, BOB, CAROL]) await h.deliver(mb, 'Inbox', raw);
    await h.deliver(SOC, 'Inbox', mime({ subject: 'Campaign 7 without attachments', from: 'boss@evil.example' }));
    const params = { 'Search In Mailbox': `${ALICE}, ${GHOST}, ${BOB}, ${CAROL}, ${SOC}`, 'Folder Name': 'Inbox', 'Subject Filter': 'campaign 7', 'Sender Filter': 'BOSS@evil.example', 'How many mailboxes to process in a single batch': '2', ...local({ 'Download Attachments to unique path?': 'true' }) };
    const first = await invoke(h, downloadAttachmentsFromEmail, params);
    expect(first).toMatchObject({ is_success: true, execution_state: 'IN_PROGRESS', output_message: 'Processed 2 of 5 mailboxes, 1 attachments downloaded so far; the next invocation continues with the next batch.' });
    const second = await invoke(h, downloadAttachmentsFromEmail, params, first.state);
    expect(second.execution_state).toBe('IN_PROGRESS');
    const last = await invoke(h, downloadAttachmentsFromEmail, params, second.state);
    expect(last).toMatchObject({ is_success: true, execution_state: 'COMPLETED', state: null });
    const rows = jsonOf(last);
    expect(rows.map((r) => r.mailbox)).toEqual([ALICE, BOB, CAROL]);
    expect(new Set(rows.map((r) => r.downloaded_path)).size).toBe(3);
    const socMail = (await h.client().get<{ value: Array<{ id: string; subject: string }> }>(`/users/${SOC}/mailFolders/inbox/messages`, { query: { $top: 100 } })).value.find((x) => x.subject.startsWith('Campaign 7'))!;
    expect(last.output_message.split('\n')).toEqual([
      `Downloaded 3 attachments. Files: ${rows.map((r) => r.downloaded_path).join(', ')}.`,
      `In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: ${SOC}. Mail IDs without attachments to download: ${socMail.id}.`,
      `Mailbox ${GHOST} was not found.`,
    ]);
    expect((await readdir(path.join(dir, 'out'))).filter((f) => f.startsWith('invoice'))).toHaveLength(3);
  });

  it('reaches the documented messages: ids not found, no attachments, no emails, no mailboxes, folder not found, error', async () => {
    const bare = await h.deliver(SOC, 'Inbox', mime({ subject: 'no attachments here' }));
    const noAtt = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': `${bare.id}, <nope@nowhere.example>`, ...local() });
    expect(noAtt).toMatchObject({ is_success: true, json_result: [] });
    expect(noAtt.output_message).toBe(
      `Failed to find emails in ${SOC} with the following mail ids: <nope@nowhere.example>.\n` +
        `In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: ${SOC}. Mail IDs without attachments to download: ${bare.id}.`,
    );
    const none = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Subject Filter': 'nothing like this', ...local() });
    expect(none).toMatchObject({ is_success: false, output_message: 'Failed to find any emails using the provided criteria!' });
    const ghosts = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': `${GHOST}, ${DAVE}`, 'Folder Name': 'Inbox', 'Mail IDs': bare.id, ...local() });
    expect(ghosts).toMatchObject({ is_success: false, output_message: `Failed to find any of the provided mailboxes: ${GHOST}, ${DAVE}` });
    const folder = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': `${SOC}, ${ALICE}`, 'Folder Name': 'Inbox/Nope', 'Mail IDs': bare.id, ...local() });
    expect(folder).toMatchObject({ is_success: false, output_message: `Action failed to run because the provided mailbox folder name Inbox/Nope was not found in the mailbox ${SOC}, ${ALICE}.` });

    // A download path that is a file: the destination refuses, the action says why and names the parameter.
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'two files', parts: [{ name: 'a.txt', content: 'a' }, { name: 'b.txt', content: 'b' }] }));
    await writeFile(path.join(dir, 'out'), 'a file, not a folder');
    const err = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(err).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    // The cause is told once, with the attachments it hit.
    expect(err.output_message).toBe(
      `Error executing action. Reason: 2 attachments (a.txt of ${m.id} in ${SOC}, b.txt of ${m.id} in ${SOC}): ` +
        `Cannot write to the Download Path "${path.join(dir, 'out')}" (creating the folder): a file is in the way of a folder.`,
    );
    const badDest = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, 'Download Destination': 'Dropbox', 'Download Path': dir });
    expect(badDest.is_success).toBe(false);
    expect(badDest.output_message).toMatch(/Download Destination/);
  });

  it('tells a cause that fails every attachment once, with a count, however many attachments it hits', async () => {
    const parts = (tag: string) => Array.from({ length: 20 }, (_, i) => ({ name: `${tag}-${i}.txt`, content: `${tag} ${i}` }));
    const one = await h.deliver(SOC, 'Inbox', mime({ subject: 'forty files', parts: parts('soc') }));
    const two = await h.deliver(ALICE, 'Inbox', mime({ subject: 'forty files', parts: parts('alice') }));
    await writeFile(path.join(dir, 'out'), 'a file, not a folder');
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': `${SOC}, ${ALICE}`, 'Folder Name': 'Inbox', 'Subject Filter': 'forty files', ...local() });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED', json_result: [] });
    expect(doc.output_message).toBe(
      `Error executing action. Reason: 40 attachments (soc-0.txt of ${one.id} in ${SOC}, soc-1.txt of ${one.id} in ${SOC}, soc-2.txt of ${one.id} in ${SOC} and 37 more): ` +
        `Cannot write to the Download Path "${path.join(dir, 'out')}" (creating the folder): a file is in the way of a folder.`,
    );
    expect(doc.output_message).not.toContain(two.id);
    expect(doc.output_message.length).toBeLessThan(1_000); // one line per attachment made it 10,000
  });

  it('streams to a GCS bucket through the official client (emulator subset via STORAGE_EMULATOR_HOST)', async () => {
    await h.admin('POST', '/gcs/buckets', { name: 'soc-evidence' });
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'to gcs', parts: [{ name: 'x/../evil.bin', contentType: 'application/octet-stream', content: Buffer.alloc(3000, 7) }, { name: 'Inner phish', rfc822: true, content: inner }] }));
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, 'Download Destination': 'GCP Bucket', 'Download Path': 'gs://soc-evidence/cases/42' });
    expect(doc.is_success).toBe(true);
    expect(jsonOf(doc).map((r) => r.downloaded_path)).toEqual(['gs://soc-evidence/cases/42/x_.._evil.bin', 'gs://soc-evidence/cases/42/Inner phish.eml']);
    const { buckets } = await h.admin<BucketList>('GET', '/gcs/buckets');
    const objects = buckets.find((b) => b.name === 'soc-evidence')!.objects;
    const sizes = Object.fromEntries(objects.map((o) => [o.name, o.size]));
    expect(Object.keys(sizes).sort()).toEqual(['cases/42/Inner phish.eml', 'cases/42/x_.._evil.bin']);
    expect(sizes['cases/42/x_.._evil.bin']).toBe(3000);

    // A path that names no valid bucket fails before any mailbox is touched, naming the parameter.
    await h.admin('DELETE', '/requests');
    const badBucket = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, 'Download Destination': 'GCP Bucket', 'Download Path': 'gs://Bad_Bucket/x' });
    expect(badBucket.is_success).toBe(false);
    expect(badBucket.output_message).toMatch(/^Error executing action\. Reason: Download Path "gs:\/\/Bad_Bucket\/x" does not start with a valid Cloud Storage bucket name/);
    expect((await h.admin<RequestLogSnapshot>('GET', '/requests')).total).toBe(0);
  });

  it('downloads a large attachment added through the admin API byte for byte', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'large' }));
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const res = await fetch(`${h.emu.url}/_emulator/users/${u(SOC)}/messages/${u(m.id)}/attachments?name=big.bin`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: big });
    expect(res.status).toBe(201);
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(doc.is_success).toBe(true);
    expect((await readFile(path.join(dir, 'out', 'big.bin'))).equals(big)).toBe(true);
  });

  it('downloads a 100 MB attachment through the action to the local file system, bytes and sha256 intact', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'hundred megabytes' }));
    const size = 100 * 1024 * 1024;
    // Generated and hashed chunk by chunk: the test never holds the 100 MB itself.
    const sent = createHash('sha256');
    const uploaded = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.emu.url}/_emulator/users/${u(SOC)}/messages/${u(m.id)}/attachments?name=huge.bin`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024);
      let i = 0;
      const writeMore = () => {
        while (i < size / chunk.length) {
          chunk.fill(i % 251);
          chunk.writeUInt32BE(i, 0);
          sent.update(chunk);
          i++;
          if (!req.write(chunk)) return void req.once('drain', writeMore);
        }
        req.end();
      };
      writeMore();
    });
    expect(uploaded).toBe(201);
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    const [row] = jsonOf(doc);
    expect(row).toMatchObject({ downloaded_path: path.join(dir, 'out', 'huge.bin'), bytes: size });
    expect((await stat(row.downloaded_path)).size).toBe(size);
    const got = createHash('sha256');
    for await (const c of createReadStream(row.downloaded_path, { highWaterMark: 1024 * 1024 })) got.update(c as Buffer);
    expect(got.digest('hex')).toBe(sent.digest('hex'));
  }, 60_000);

  it('reports a reference attachment (a cloud link) as not downloadable and still downloads the others', async () => {
    const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'shared link', parts: [{ name: 'notes.txt', contentType: 'text/plain', content: 'notes' }] }));
    await h.admin('POST', `/users/${u(SOC)}/messages/${u(m.id)}/attachments?name=${u('Q3 plan.docx')}&kind=reference&sourceUrl=${u('https://contoso-my.sharepoint.com/q3.docx')}`);
    const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, ...local() });
    expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    expect(jsonOf(doc).map((r) => r.attachment_name)).toEqual(['notes.txt']);
    expect(await readdir(path.join(dir, 'out'))).toEqual(['notes.txt']);
    const lines = doc.output_message.split('\n');
    expect(lines[0]).toBe(`Downloaded 1 attachments. Files: ${path.join(dir, 'out', 'notes.txt')}.`);
    expect(lines[1]).toBe(`Failed to download: Q3 plan.docx of ${m.id} in ${SOC}: Attachment "Q3 plan.docx" is a link to a cloud file (reference attachment); it has no content to download.`);
    // Only a reference attachment: nothing downloaded, the action fails saying why.
    const only = await h.deliver(SOC, 'Inbox', mime({ subject: 'only a link' }));
    await h.admin('POST', `/users/${u(SOC)}/messages/${u(only.id)}/attachments?name=deck.pptx&kind=reference&sourceUrl=${u('https://contoso-my.sharepoint.com/deck.pptx')}`);
    const none = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': only.id, ...local() });
    expect(none).toMatchObject({ is_success: false, json_result: [] });
    expect(none.output_message).toMatch(/^Error executing action\. Reason: deck\.pptx of \S+ in soc@contoso\.example: Attachment "deck\.pptx" is a link to a cloud file/);
  });

  it('without unique, equal names of one run (across mailboxes and async batches) get -2, -3 instead of overwriting each other', async () => {
    for (const [mb, body] of [[ALICE, 'alice copy'], [BOB, 'bob copy'], [CAROL, 'carol copy']] as const) {
      await h.deliver(mb, 'Inbox', mime({ subject: 'Campaign 9', parts: [{ name: 'invoice.pdf', contentType: 'application/pdf', content: body }] }));
    }
    const params = { 'Search In Mailbox': `${ALICE}, ${BOB}, ${CAROL}`, 'Folder Name': 'Inbox', 'Subject Filter': 'Campaign 9', 'How many mailboxes to process in a single batch': '2', ...local() };
    const first = await invoke(h, downloadAttachmentsFromEmail, params);
    expect(first.execution_state).toBe('IN_PROGRESS');
    const last = await invoke(h, downloadAttachmentsFromEmail, params, first.state);
    expect(last).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
    const rows = jsonOf(last);
    const out = path.join(dir, 'out');
    expect(rows.map((r) => [r.mailbox, path.relative(out, r.downloaded_path)])).toEqual([[ALICE, 'invoice.pdf'], [BOB, 'invoice-2.pdf'], [CAROL, 'invoice-3.pdf']]);
    expect(await Promise.all(rows.map((r) => readFile(r.downloaded_path, 'utf8')))).toEqual(['alice copy', 'bob copy', 'carol copy']);
    // A later run overwrites the earlier run's files, as documented.
    const again = await invoke(h, downloadAttachmentsFromEmail, { ...params, 'Search In Mailbox': BOB });
    expect(jsonOf(again)[0].downloaded_path).toBe(path.join(out, 'invoice.pdf'));
    expect(await readFile(path.join(out, 'invoice.pdf'), 'utf8')).toBe('bob copy');
  });

  it('refuses a GCS Download Path starting with "/" without MSGRAPH_MAIL_GCS_BUCKET, before touching any mailbox', async () => {
    const saved = process.env.MSGRAPH_MAIL_GCS_BUCKET;
    delete process.env.MSGRAPH_MAIL_GCS_BUCKET;
    try {
      await h.admin('DELETE', '/requests');
      const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Subject Filter': 'x', 'Download Destination': 'GCP Bucket', 'Download Path': '/tmp/test' });
      expect(doc.is_success).toBe(false);
      expect(doc.output_message).toBe(
        'Error executing action. Reason: Download Path "/tmp/test" names no bucket: use gs://bucket-name/tmp/test, or set MSGRAPH_MAIL_GCS_BUCKET to the bucket that paths starting with "/" go to.',
      );
      expect((await h.admin<RequestLogSnapshot>('GET', '/requests')).total).toBe(0);
      // With the variable, the documented form writes into that bucket.
      process.env.MSGRAPH_MAIL_GCS_BUCKET = 'soc-default';
      await h.admin('POST', '/gcs/buckets', { name: 'soc-default' });
      const m = await h.deliver(SOC, 'Inbox', mime({ subject: 'to default bucket', parts: [{ name: 'a.txt', content: 'a' }] }));
      const ok = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': SOC, 'Folder Name': 'Inbox', 'Mail IDs': m.id, 'Download Destination': 'GCP Bucket', 'Download Path': '/tmp/test' });
      expect(jsonOf(ok).map((r) => r.downloaded_path)).toEqual(['gs://soc-default/tmp/test/a.txt']);
    } finally {
      if (saved === undefined) delete process.env.MSGRAPH_MAIL_GCS_BUCKET;
      else process.env.MSGRAPH_MAIL_GCS_BUCKET = saved;
    }
  });

  it('"Download Attachments from EML" holds at most two mail files in memory at once, across chunks and mailboxes', async () => {
    const mailboxes = [ALICE, BOB, CAROL, REPORTS, SOC];
    for (const mb of mailboxes) {
      await h.deliver(mb, 'Inbox', mime({
        subject: 'Campaign 11',
        parts: [1, 2, 3].map((k) => ({ name: `fwd-${k}.eml`, contentType: 'message/rfc822', content: mime({ subject: `inner ${k}`, parts: [{ name: `in-${k}.txt`, content: `inner ${k} of ${mb}` }] }) })),
      }));
    }
    let held = 0;
    let most = 0;
    let waited = 0;
    const gate = mailFileMemory as unknown as { tryAcquire: () => (() => void) | null; acquire: () => Promise<() => void> };
    const { tryAcquire, acquire } = gate;
    const track = (release: () => void) => {
      held++;
      most = Math.max(most, held);
      let done = false;
      return () => {
        if (!done) held--;
        done = true;
        release();
      };
    };
    gate.tryAcquire = () => {
      const r = tryAcquire.call(mailFileMemory);
      return r ? track(r) : null;
    };
    gate.acquire = async () => {
      waited++;
      return track(await acquire.call(mailFileMemory));
    };
    try {
      const doc = await invoke(h, downloadAttachmentsFromEmail, { 'Search In Mailbox': mailboxes.join(', '), 'Folder Name': 'Inbox', 'Subject Filter': 'Campaign 11', 'Download Attachments from EML': 'true', 'Download Attachments to unique path?': 'true', ...local() });
      expect(doc).toMatchObject({ is_success: true, execution_state: 'COMPLETED' });
      const rows = jsonOf(doc);
      expect(rows).toHaveLength(mailboxes.length * 6);
      expect(rows.filter((r) => r.from_files)).toHaveLength(mailboxes.length * 3);
    } finally {
      gate.tryAcquire = tryAcquire;
      gate.acquire = acquire;
    }
    expect(most).toBe(2);
    expect(waited).toBeGreaterThan(0);
    expect(held).toBe(0);
    expect(mailFileMemory.available).toBe(2);
  });
});
