import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { runDemo } from '../../src/cli/demo.ts';

describe('npm start walkthrough', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', quiet: true });
  });
  afterAll(() => emu.close());

  it('runs Ping and the OOF lookup against the demo tenant over verified HTTPS', async () => {
    let text = '';
    const code = await runDemo({ emulator: emu, out: { write: (c: string) => (text += c) } });
    expect(text).toContain('Successfully connected to the Microsoft Graph mail service with the provided connection parameters!');
    expect(text).toMatch(/Successfully returned OOF settings for .*soc@contoso\.example/);
    expect(text).toContain('Out of office: alice.martin@contoso.example');
    expect(text).not.toContain(emu.info.clientSecret);
    expect(code).toBe(0);
  });
});
