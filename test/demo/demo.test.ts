import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { runDemo } from '../../src/cli/demo.ts';

describe('npm start walkthrough', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', quiet: true });
  });
  afterAll(() => emu.close());

  it('runs Ping, the OOF lookup, the search and the purge against the demo tenant over verified HTTPS', async () => {
    let text = '';
    const code = await runDemo({ emulator: emu, out: { write: (c: string) => (text += c) } });
    expect(text).toContain('Successfully connected to the Microsoft Graph mail service with the provided connection parameters!');
    expect(text).toMatch(/Successfully returned OOF settings for .*soc@contoso\.example/);
    expect(text).toContain('Out of office: alice.martin@contoso.example');
    expect(text).toContain('Alert "Microsoft Graph Monitored Mailbox <phishing-reports@contoso.example>"');
    expect(text).toContain('attached email from it-support@login-microsoft-verify.example: "Action required: your mailbox password expires today"');
    expect(text).toContain('Extracted data from 1 attached email files. Files: Action required.eml');
    expect(text).toContain('Phish sender:  it-support@login-microsoft-verify.example');
    expect(text).toContain('URLs it carries: http://login-microsoft-verify.example/reset?session=8c2f61');
    expect(text).toMatch(/Successfully found emails in the following mailboxes: .*alice\.martin@contoso\.example: 1/);
    // The purge waits for the SOC lead's vote: asked at her alias, answered from her mailbox.
    expect(text).toContain('== 6. Ask the SOC lead (soc-lead@contoso.example) to approve the purge: Send Vote Email');
    expect(text).toContain('Waiting for a reply from: soc-lead@contoso.example.');
    expect(text).toContain('Found the user soc-lead@contoso.example reply: Approve.');
    expect(text).toContain('Approved by soc-lead@contoso.example (answered from dana.lee@contoso.example).');
    expect(text.indexOf('Approved by')).toBeLessThan(text.indexOf('== 8. Purge it from every mailbox'));
    expect(text).toContain('[##############################] 6/6 mailboxes');
    expect(text).toMatch(/Purge summary: 4 mailboxes cleaned, 4 emails deleted, [\d.]+ s\./);
    // The purge really happened: a second search finds nothing.
    const again = await runDemo({ emulator: emu, out: { write: () => undefined } });
    expect(again).toBe(1);
    expect(text).not.toContain(emu.info.clientSecret);
    expect(code).toBe(0);
  });
});
