/**
 * `msgraph-mail emulator`: starts the emulator, prints the one JSON line of CONTRACT.md §5 on
 * stdout and stops cleanly on SIGINT / SIGTERM.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './index.ts';

export async function runEmulatorCommand(opts: EmulatorOptions): Promise<RunningEmulator> {
  const running = await startEmulator(opts);
  const i = running.info;
  process.stdout.write(
    `${JSON.stringify({
      graphEndpoint: i.graphEndpoint,
      loginEndpoint: i.loginEndpoint,
      tenantId: i.tenantId,
      clientId: i.clientId,
      clientSecret: i.clientSecret,
      defaultMailbox: i.defaultMailbox,
      caCertPath: i.caCertPath,
      mailboxes: i.mailboxes,
    })}\n`,
  );
  if (!opts.quiet) process.stderr.write(`msgraph-mail emulator listening on ${running.url} (Ctrl+C to stop)\n`);
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return running;
}
