/** PATCH /users/{id}/mailFolders/{id} (mailfolder-update.md), through our client and Microsoft's SDK. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailFolder } from '@microsoft/microsoft-graph-types';
import type { RunningEmulator } from '../../emulator/index.ts';
import { GraphError } from '../../src/graph/errors.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { fetch, type Agent } from 'undici';
import type { Client } from '@microsoft/microsoft-graph-client';
import { closeHttpsEmulator, startHttpsEmulator } from '../helpers/https-emulator.ts';

const SOC = 'soc@contoso.example';
let emu: RunningEmulator;
let graph: GraphClient;
let sdk: Client;
let dispatcher: Agent;
beforeAll(async () => {
  ({ emu, graph, sdk, dispatcher } = await startHttpsEmulator());
});
afterAll(async () => closeHttpsEmulator({ emu, graph, sdk, dispatcher }));

/** A folder made through the admin API (HTTPS, the emulator's CA). */
async function addFolder(path: string): Promise<{ id: string }> {
  const res = await fetch(`${emu.url}/_emulator/users/${SOC}/folders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path }), dispatcher });
  return (await res.json()) as { id: string };
}

const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as GraphError);

describe('mailFolder update', () => {
  it('renames a folder: 200 with the folder, same id; the new name resolves, a sibling name is 409', async () => {
    const made = await addFolder('Inbox/Phishing');
    await addFolder('Inbox/Spam reports');
    const renamed = await graph.patch<MailFolder>(`/users/${SOC}/mailFolders/${made.id}`, { displayName: 'Phishing 2026' });
    expect(renamed).toMatchObject({ id: made.id, displayName: 'Phishing 2026' });
    const read = (await sdk.api(`/users/${SOC}/mailFolders/${made.id}`).get()) as MailFolder;
    expect(read.displayName).toBe('Phishing 2026');
    const again = (await sdk.api(`/users/${SOC}/mailFolders/${made.id}`).patch({ displayName: 'Phishing' })) as MailFolder;
    expect(again).toMatchObject({ id: made.id, displayName: 'Phishing' });
    expect(await fail(graph.patch(`/users/${SOC}/mailFolders/${made.id}`, { displayName: 'spam REPORTS' }))).toMatchObject({ status: 409, code: 'ErrorFolderExists' });
  });

  it('refuses other properties, a non-string name and a well-known folder', async () => {
    expect(await fail(graph.patch(`/users/${SOC}/mailFolders/inbox`, { displayName: 'Posteingang' }))).toMatchObject({ status: 400 });
    const made = await addFolder('Inbox/Other');
    expect(await fail(graph.patch(`/users/${SOC}/mailFolders/${made.id}`, { totalItemCount: 3 }))).toMatchObject({ status: 400, code: 'RequestBodyRead' });
    expect(await fail(graph.patch(`/users/${SOC}/mailFolders/${made.id}`, { displayName: 5 }))).toMatchObject({ status: 400, code: 'RequestBodyRead' });
  });
});
