/** `msgraph-mail run "Search Emails" --format table` over several mailboxes of the emulator, at COLUMNS=80. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { main } from '../../src/cli/main.ts';
import { displayWidth } from '../../src/cli/terminal-text.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { adminClient } from '../helpers/emulator-admin.ts';

let emu: RunningEmulator;
let configPath: string;
const SOC = 'soc@contoso.example';
const ALICE = 'alice.martin@contoso.example';
const REPORTS = 'phishing-reports@contoso.example';

const encoded = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
const raw = (subject: string, from: string, to: string) =>
  [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: <${Math.random().toString(36).slice(2)}@table.test>`, 'Date: Tue, 01 Dec 2026 10:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'body', ''].join('\r\n');

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true });
  const dir = await mkdtemp(join(tmpdir(), 'table-e2e-'));
  configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(configForEmulator(emu.info, { 'Secret ID': '$ENV:TABLE_SECRET' })));
  const admin = adminClient(emu.url);
  // A hostile subject (right-to-left override: "invoice‮fdp.exe" shows as "invoiceexe.pdf") and a CJK / emoji one.
  await admin('POST', `/users/${encodeURIComponent(ALICE)}/messages?folder=Inbox&receivedDateTime=2026-12-01T10:00:00Z`, raw(encoded('invoice\u202Efdp.exe'), 'billing@evil.example', ALICE), 'message/rfc822');
  await admin('POST', `/users/${encodeURIComponent(REPORTS)}/messages?folder=Inbox&receivedDateTime=2026-12-01T11:00:00Z`, raw(encoded('請求書の確認 📎 Report'), 'alice.martin@contoso.example', REPORTS), 'message/rfc822');
});
afterAll(async () => {
  await emu?.close();
});

async function run(format: 'json' | 'table', columns = '80'): Promise<string> {
  let out = '';
  const code = await main(
    ['run', 'Search Emails', '--config', configPath, '--param', `Search In Mailbox=${SOC}, ${REPORTS}, ${ALICE}`, '--param', 'Folder Name=Inbox', '--format', format],
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined }, env: { TABLE_SECRET: emu.info.clientSecret, COLUMNS: columns } },
  );
  expect(code).toBe(0);
  return out;
}

describe('Search Emails over several mailboxes, --format table at COLUMNS=80', () => {
  it('fits 80 columns, names each row\'s mailbox, keeps dates whole, cuts ids in the middle, shows hostile text escaped', async () => {
    const [text, json, wide] = await Promise.all([run('table'), run('json'), run('table', '160')]);
    const doc = JSON.parse(json) as ResultDocument;
    const byId = new Map<string, string>();
    for (const b of (doc.json_result as { mailboxes: Array<{ mailbox: string; emails: Array<{ id: string; receivedDateTime: string }> }> }).mailboxes) {
      for (const e of b.emails) byId.set(e.id, b.mailbox);
    }
    const table = doc.case_wall.tables[0];
    expect(table.columns).toEqual(['Mail ID', 'Subject', 'Sender', 'Receivers', 'Received Date']); // the document is unchanged
    expect(new Set(byId.values()).size).toBe(3);

    const lines = text.split('\n');
    const boxed = lines.filter((l) => /^[┌│├└]/.test(l));
    for (const l of boxed) expect(displayWidth(l)).toBe(80);
    const cells = boxed.map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
    expect(cells[1]).toEqual(['Mailbox', 'Mail ID', 'Subject', 'Sender', 'Receiv…', 'Received Date']);
    const rows = cells.slice(3, -1);
    expect(rows).toHaveLength(table.rows.length);
    rows.forEach((r, i) => {
      const [id, , , , date] = table.rows[i];
      expect(byId.get(id)!.startsWith(r[0].replace(/…$/, ''))).toBe(true);
      const [head, tail] = r[1].split('…');
      expect(id.startsWith(head) && id.endsWith(tail)).toBe(true);
      expect(r[5]).toBe(date);
    });
    expect(rows.map((r) => r[0].slice(0, 3))).toEqual(expect.arrayContaining(['soc', 'phi', 'ali']));
    for (const t of [text, wide]) expect(t).not.toContain('\u202E');
    expect(wide).toContain('│ invoice\\u202Efdp.exe '); // shown escaped, where there is room for it
    expect(wide).toContain('│ 請求書の確認 📎 Report ');
    for (const l of wide.split('\n').filter((x) => /^[┌│├└]/.test(x))) expect(displayWidth(l)).toBeLessThanOrEqual(160);
    expect(lines).toContain('Mail ID cut in the middle (…) to fit 80 columns; --format json has them whole.');
    // The capture for the closing note.
    if (process.env.SHOW_TABLE) process.stdout.write(text);
  });
});
