/**
 * `npm start` / `msgraph-mail demo`: the phishing-response walkthrough against the embedded
 * Graph emulator (HTTPS, its own CA, demo tenant). It runs the real actions through the same
 * runtime as `msgraph-mail run`, so what it shows is what a playbook would get.
 */
import { readFile } from 'node:fs/promises';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { findAction } from '../actions/index.ts';
import { createGraphClient } from '../graph/index.ts';
import type { Entity } from '../soar/action.ts';
import type { ResultDocument } from '../soar/result.ts';
import { runAction } from '../soar/runtime.ts';
import { renderResultAsText } from './format.ts';

export interface DemoOptions {
  out?: { write(chunk: string): unknown };
  /** Seeded emulator to run against (tests); by default one is started and stopped here. */
  emulator?: RunningEmulator;
}

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  const emulator = opts.emulator ?? (await startEmulator({ seed: 'demo', quiet: true }));
  try {
    const { info } = emulator;
    say('msgraph-mail demo: phishing response against the local Microsoft Graph emulator');
    say(`  Graph + Entra: ${info.graphEndpoint} (HTTPS, certificate from ${info.caCertPath})`);
    say(`  tenant ${info.tenantId}, ${info.mailboxes.length} mailboxes, default mailbox ${info.defaultMailbox}`);
    say();

    // Verify SSL stays on: the client trusts the emulator's CA, for this client only.
    const ca = info.caCertPath ? await readFile(info.caCertPath, 'utf8') : undefined;
    const config = {
      'Azure AD endpoint': info.loginEndpoint,
      'Microsoft Graph Endpoint': info.graphEndpoint,
      'Client ID': info.clientId,
      'Secret ID': info.clientSecret,
      Tenant: info.tenantId,
      'Default Mailbox': info.defaultMailbox,
      'Verify SSL': true,
    };
    const run = (name: string, entities: Entity[] = []): Promise<ResultDocument> => {
      const def = findAction(name);
      if (!def) throw new Error(`demo: action ${name} is not registered`);
      return runAction(def, { config, entities }, { createGraph: createGraphClient, graphOptions: { ca } });
    };

    let ok = true;
    const step = async (title: string, name: string, entities: Entity[] = []): Promise<ResultDocument> => {
      say(`== ${title}: ${name}`);
      const doc = await run(name, entities);
      ok &&= doc.is_success;
      say(renderResultAsText(doc).trimEnd());
      say();
      return doc;
    };

    await step('1. Check the connection and the app permissions', 'Ping');

    const users: Entity[] = info.mailboxes.map((upn) => ({ type: 'User', identifier: upn }));
    const oof = await step('2. Who is out of office (and will not read the warning)?', 'Get Mailbox Account Out Of Facility Settings', users);
    const away = outOfOffice(oof.json_result);
    say(away.length ? `Out of office: ${away.join(', ')}` : 'Nobody is out of office.');
    say();
    say(ok ? 'Walkthrough finished.' : 'Walkthrough finished with failures (see above).');
    return ok ? 0 : 1;
  } finally {
    if (!opts.emulator) await emulator.close();
  }
}

function outOfOffice(json: unknown): string[] {
  if (!Array.isArray(json)) return [];
  return json
    .filter((r) => (r as { EntityResult?: { outOfOfficeSettings?: { isOutOfOffice?: boolean } } }).EntityResult?.outOfOfficeSettings?.isOutOfOffice)
    .map((r) => String((r as { Entity: unknown }).Entity));
}
