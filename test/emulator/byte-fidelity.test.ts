/**
 * `$value` of a message and of an attached email is the bytes that were delivered (for the
 * attached one: the bytes of its part), read through our client and through Microsoft's SDK.
 * Attachment names arrive decoded and otherwise exactly as written.
 */
import { readFileSync } from 'node:fs';
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createGraphClient } from '../../src/graph/client.ts';
import { graphSdkFor } from '../helpers/graph-sdk.ts';
import { listAttachments, openMessageMime, readAttachmentBytes } from '../../src/mail/attachments.ts';
import type { GraphClient } from '../../src/graph/types.ts';

// TLS on purpose: the SDK attaches its token to https hosts only.
let emu: RunningEmulator;
let dispatcher: Agent;
let graph: GraphClient;
let sdk: Client;
let mailbox: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'empty', quiet: true });
  const info = emu.info;
  mailbox = info.defaultMailbox;
  const ca = readFileSync(info.caCertPath, 'utf8');
  graph = createGraphClient({ loginEndpoint: info.loginEndpoint, graphEndpoint: info.graphEndpoint, tenant: info.tenantId, clientId: info.clientId, clientSecret: info.clientSecret, ca });
  ({ sdk, dispatcher } = graphSdkFor(info));
});
afterAll(async () => {
  await graph?.close();
  await emu?.close();
  await dispatcher?.close();
});

async function deliver(raw: Buffer): Promise<string> {
  const res = await fetch(`${emu.url}/_emulator/users/${encodeURIComponent(mailbox)}/messages?folder=Inbox`, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822' },
    body: raw,
    dispatcher,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

function bytesOf(eol: string, ...parts: Array<string | Buffer>): Buffer {
  const out: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(Buffer.from(eol));
    out.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  });
  return Buffer.concat(out);
}

let n = 0;
/** A message with one attached email (itself carrying a nested email) and a named PDF. */
function fixture(eol: string, pdfDisposition: string): { raw: Buffer; attached: Buffer; nested: Buffer } {
  n++;
  const nested = bytesOf(eol, 'From: deep@z.example', `Subject: nested ${n}`, `Message-ID: <nested-${n}@z.example>`, '', 'deepest  line', '');
  const attached = bytesOf(
    eol,
    'From: b@y.example',
    `Subject: attached ${n}`,
    `Message-ID: <attached-${n}@y.example>`,
    'Content-Type: multipart/mixed; boundary="inner"',
    'Content-Transfer-Encoding: 8bit',
    '',
    '--inner',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: 8bit',
    '',
    Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xa4, 0x20, 0xff]),
    'trailing spaces   ',
    '--inner',
    'Content-Type: message/rfc822',
    '',
    nested,
    '--inner--',
    '',
  );
  const raw = bytesOf(
    eol,
    'From: a@x.example',
    'To: soc@contoso.example',
    `Subject: =?utf-8?B?Ynl0ZXMgJiBuYW1lcw===?=`,
    `Message-ID: <outer-${n}@x.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'caf\u00e9 \u20ac',
    '--outer',
    'Content-Type: message/rfc822',
    'Content-Disposition: attachment',
    '',
    attached,
    '--outer',
    'Content-Type: application/pdf',
    pdfDisposition,
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0xLjQK',
    '--outer--',
    '',
  );
  return { raw, attached, nested };
}

describe.each([
  ['CRLF', '\r\n'],
  ['bare LF', '\n'],
])('byte fidelity with %s line ends', (_label, eol) => {
  it('message $value and the attached email $value are the delivered bytes, through our client and the SDK', async () => {
    const { raw, attached, nested } = fixture(eol, 'Content-Disposition: attachment; filename="a  b.pdf"');
    const id = await deliver(raw);
    const base = `/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}`;

    expect((await readStream(await openMessageMime(graph, mailbox, id))).equals(raw)).toBe(true);
    const viaSdk = Buffer.from((await sdk.api(`${base}/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    expect(viaSdk.equals(raw)).toBe(true);

    const list = await listAttachments(graph, mailbox, id);
    expect(list.map((a) => [a.kind, a.name])).toEqual([
      ['item', `attached ${n}`],
      ['file', 'a  b.pdf'],
    ]);
    const item = list[0]!;
    const ours = await readAttachmentBytes(graph, mailbox, id, item, { maxBytes: 1 << 20 });
    expect(ours.equals(attached)).toBe(true);
    // The nested email inside it is there byte for byte too.
    expect(ours.includes(nested)).toBe(true);
    const sdkItem = Buffer.from((await sdk.api(`${base}/attachments/${encodeURIComponent(item.id)}/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    expect(sdkItem.equals(attached)).toBe(true);

    const expanded = (await sdk.api(`${base}/attachments/${encodeURIComponent(item.id)}`).expand('microsoft.graph.itemattachment/item').get()) as { item: { subject: string } };
    expect(expanded.item.subject).toBe(`attached ${n}`);
    const message = (await sdk.api(base).select(['subject']).get()) as { subject: string };
    expect(message.subject).toBe('bytes & names');
  });
});

describe('attachment names through the SDK', () => {
  it.each([
    ['Content-Disposition: attachment; filename="two  spaces.pdf"', 'two  spaces.pdf'],
    ["Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20Q3%20%20rates.pdf", '\u20ac Q3  rates.pdf'],
    ["Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t; filename*1*=%C3%A9.pdf", '\u00e9t\u00e9.pdf'],
    ['Content-Disposition: attachment; filename="=?utf-8?Q?r=C3=A9sum=C3=A9?= final.pdf"', 'r\u00e9sum\u00e9 final.pdf'],
  ])('%s -> %s', async (disposition, expected) => {
    const id = await deliver(fixture('\r\n', disposition).raw);
    const list = (await sdk.api(`/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments`).select(['name']).get()) as { value: Array<{ name: string }> };
    expect(list.value.map((a) => a.name)).toContain(expected);
  });
});
