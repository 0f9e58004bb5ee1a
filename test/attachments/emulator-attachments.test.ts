/** The emulator side of attachments: the large-attachment admin route and `$select` on attachments. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../emulator/helpers.ts';

const SOC_RAW = (subject: string) =>
  ['From: a@contoso.example', 'To: soc@contoso.example', `Subject: ${subject}`, `Message-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@x>`, '', 'body', ''].join('\r\n');

let h: Harness;
let mailbox: string;
beforeAll(async () => {
  h = await harness({ port: 0, seed: 'empty' });
  mailbox = h.emu.info.defaultMailbox;
});
afterAll(async () => {
  await h?.emu.close();
});

async function deliver(subject: string): Promise<string> {
  const res = await h.admin(`/users/${encodeURIComponent(mailbox)}/messages?folder=Inbox`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: SOC_RAW(subject) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function attachUrl(messageId: string, q: Record<string, string>): string {
  return `/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(messageId)}/attachments?${new URLSearchParams(q)}`;
}

describe('POST /_emulator/users/{upn}/messages/{id}/attachments', () => {
  it('attaches raw bytes as a file attachment served by $value, leaving the message MIME alone', async () => {
    const id = await deliver('one');
    const mimeBefore = await (await h.graph(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/$value`)).text();
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const res = await h.admin(attachUrl(id, { name: 'data.bin', contentType: 'application/x-test' }), { method: 'POST', body: bytes });
    expect(res.status).toBe(201);
    const a = (await res.json()) as { id: string; size: number; kind: string };
    expect(a).toMatchObject({ size: 5000, kind: 'file' });
    const value = await h.graph(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(a.id)}/$value`);
    expect(value.headers.get('content-type')).toBe('application/x-test');
    expect(Buffer.from(await value.arrayBuffer()).equals(bytes)).toBe(true);
    const msg = await h.json(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}?$select=hasAttachments`);
    expect(msg.body.hasAttachments).toBe(true);
    expect(await (await h.graph(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/$value`)).text()).toBe(mimeBefore);
  });

  it('kind=item attaches an email as an itemAttachment whose item expands', async () => {
    const id = await deliver('two');
    const res = await h.admin(attachUrl(id, { name: 'Fwd: invoice', kind: 'item' }), { method: 'POST', body: SOC_RAW('Invoice overdue') });
    const a = (await res.json()) as { id: string };
    const got = await h.json(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(a.id)}?$expand=microsoft.graph.itemattachment/item`);
    expect(got.body['@odata.type']).toBe('#microsoft.graph.itemAttachment');
    expect(got.body.item.subject).toBe('Invoice overdue');
  });

  it("an item attachment's $value is labelled message/rfc822 (attachment-get.md), an event's text/calendar", async () => {
    const id = await deliver('item mime');
    const mail = (await (await h.admin(attachUrl(id, { name: 'Fwd: invoice', kind: 'item' }), { method: 'POST', body: SOC_RAW('Invoice') })).json()) as { id: string };
    const event = (await (await h.admin(attachUrl(id, { name: 'Meeting', kind: 'item', contentType: 'text/calendar' }), { method: 'POST', body: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' })).json()) as { id: string };
    const value = (aid: string) => h.graph(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(aid)}/$value`);
    const m = await value(mail.id);
    expect(m.headers.get('content-type')).toBe('message/rfc822');
    expect(await m.text()).toContain('Subject: Invoice');
    expect((await value(event.id)).headers.get('content-type')).toBe('text/calendar');
  });

  it('kind=reference adds a referenceAttachment: a link without contentBytes whose $value is a 405', async () => {
    const id = await deliver('reference');
    const res = await h.admin(attachUrl(id, { name: 'Q3 plan.docx', kind: 'reference', sourceUrl: 'https://contoso-my.sharepoint.com/personal/a/Q3%20plan.docx' }), { method: 'POST' });
    expect(res.status).toBe(201);
    const a = (await res.json()) as { id: string; kind: string };
    expect(a.kind).toBe('reference');
    const base = `/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments`;
    const v1 = await h.json(`/v1.0${base}/${encodeURIComponent(a.id)}`);
    expect(v1.body['@odata.type']).toBe('#microsoft.graph.referenceAttachment');
    expect(v1.body).toMatchObject({ id: a.id, name: 'Q3 plan.docx', contentType: null, isInline: false });
    expect(v1.body).not.toHaveProperty('contentBytes');
    expect(v1.body).not.toHaveProperty('sourceUrl');
    const beta = await h.json(`/beta${base}/${encodeURIComponent(a.id)}`);
    expect(beta.body.sourceUrl).toBe('https://contoso-my.sharepoint.com/personal/a/Q3%20plan.docx');
    const listed = await h.json(`/v1.0${base}?$select=id,name,size`);
    expect(listed.body.value).toEqual([{ '@odata.type': '#microsoft.graph.referenceAttachment', id: a.id, name: 'Q3 plan.docx', size: expect.any(Number) }]);
    const value = await h.graph(`/v1.0${base}/${encodeURIComponent(a.id)}/$value`);
    expect(value.status).toBe(405);
    const msg = await h.json(`/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}?$select=hasAttachments`);
    expect(msg.body.hasAttachments).toBe(true);
  });

  it('names what is wrong: no name, bad kind, unknown message', async () => {
    const id = await deliver('three');
    expect((await h.admin(attachUrl(id, {}), { method: 'POST', body: 'x' })).status).toBe(400);
    expect((await h.admin(attachUrl(id, { name: 'x', kind: 'bogus' }), { method: 'POST', body: 'x' })).status).toBe(400);
    // A reference attachment is a link: without its sourceUrl there is nothing to attach.
    expect((await h.admin(attachUrl(id, { name: 'x', kind: 'reference' }), { method: 'POST' })).status).toBe(400);
    const missing = await h.admin(attachUrl('AAMkAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', { name: 'x' }), { method: 'POST', body: 'x' });
    expect(missing.status).toBe(404);
  });
});

describe('$select on attachments', () => {
  it('returns only base properties plus @odata.type and id; contentBytes is refused', async () => {
    const id = await deliver('four');
    await h.admin(attachUrl(id, { name: 'a.txt', contentType: 'text/plain' }), { method: 'POST', body: 'hello' });
    const base = `/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/attachments`;
    const list = await h.json(`${base}?$select=name,size`);
    expect(list.status).toBe(200);
    expect(Object.keys(list.body.value[0]).sort()).toEqual(['@odata.type', 'id', 'name', 'size']);
    expect(list.body.value[0]).toMatchObject({ name: 'a.txt', size: 5 });
    const full = await h.json(base);
    expect(full.body.value[0].contentBytes).toBe(Buffer.from('hello').toString('base64'));
    const bad = await h.json(`${base}?$select=contentBytes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/contentBytes/);
  });
});
