/** What each connector parameter does to the alerts, against the emulator. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, StateDirBusyError } from '../../src/connector/sqlite-store.ts';
import { mailHarness, type MailHarness } from '../mail/helpers.ts';
import { addMonitor, committed, connectorConfig, cycle, email, MONITOR, stateDir } from './helpers.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.reset();
  await addMonitor(h);
});

const attachedPhish = email({ subject: 'Inner phish', from: 'Bad Actor <bad@evil.example>', to: 'victim@contoso.example', html: '<a href="http://evil.example/login">Login</a>' });

describe('connector mapping', () => {
  it('an attached .eml becomes an attach_ event; with the option, an alert of its own', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Report: phish', attach: [{ name: 'phish.eml', type: 'message/rfc822', content: attachedPhish }, { name: 'note.txt', type: 'text/plain', content: 'hello' }] }));
    const dir = await stateDir();
    const [alert] = (await cycle(h, connectorConfig(h), dir)).printed;
    expect(alert.events).toHaveLength(2);
    expect(alert.events[1]).toMatchObject({
      attach_subject: 'Inner phish',
      attach_from_emailAddress_address: 'bad@evil.example',
      attach_toRecipients_emailAddress_address_1: 'victim@contoso.example',
      attach_url_1: 'http://evil.example/login',
      event_name: 'Attached Email File',
      original_email_id: alert.source_message_id,
    });
    expect(alert.attachments.map((a) => [a.name, a.type, Buffer.from(a.content_base64, 'base64').toString().trim()])).toEqual([['note.txt', '.txt', 'hello']]);

    await h.reset();
    await addMonitor(h);
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Report: phish', attach: [{ name: 'phish.eml', type: 'message/rfc822', content: attachedPhish }] }));
    const split = (await cycle(h, connectorConfig(h, { 'Create a Separate Siemplify Alert per Attached Mail File': true }), await stateDir())).printed;
    expect(split).toHaveLength(2);
    expect(split[0].events).toHaveLength(1);
    expect(split[1].events.map((e) => e.event_name)).toEqual(['Attached Email File', 'Email Received in Monitoring Mailbox']);
    expect(new Set(split.map((a) => a.ticket_id)).size).toBe(2);
  });

  it('an attached mail file that cannot be parsed is recorded in the event; the email is still an alert', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Report: broken', attach: [{ name: 'empty.eml', type: 'message/rfc822', content: '' }] }));
    const [alert] = (await cycle(h, connectorConfig(h), await stateDir())).printed;
    expect(alert.events).toHaveLength(1);
    expect(alert.events[0].orig_subject).toBe('Report: broken');
    expect(alert.events[0].connector_errors).toMatch(/empty\.eml: not parsed as eml: /);
  });

  it('templates, environment, prefixes and headers', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Urgent invoice', from: 'Eve <eve@emea.contoso.example>' }));
    const config = connectorConfig(h, {
      'Alert Name Template': 'Phishing - [subject] from [mail_from_emailAddress_address]',
      'Case Name Template': 'Case [subject]',
      'Environment Field Name': 'from_emailAddress_address',
      'Environment Regex Pattern': '[a-z]+',
      'Original Received Mail Prefix': 'mail',
      'Headers to add to events': 'Subject,Message-ID',
    });
    const [alert] = (await cycle(h, config, await stateDir())).printed;
    expect(alert.name).toBe('Phishing - Urgent invoice from eve@emea.contoso.example');
    expect(alert.rule_generator).toBe(alert.name);
    expect(alert.events[0].custom_case_name).toBe('Case Urgent invoice');
    expect(alert.events[0].mail_subject).toBe('Urgent invoice');
    expect(alert.environment).toBe('eve');
    expect(alert.events[0].mail_internetMessageHeaders_Subject_1).toBe('Urgent invoice');
    expect(Object.keys(alert.events[0]).filter((k) => k.includes('internetMessageHeaders_')).sort()).toEqual(['mail_internetMessageHeaders_Message-ID_1', 'mail_internetMessageHeaders_Subject_1']);
  });

  it('an invalid template falls back to the default name', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'x' }));
    const [alert] = (await cycle(h, connectorConfig(h, { 'Alert Name Template': 'Broken [subject' }), await stateDir())).printed;
    expect(alert.name).toBe(`Microsoft Graph Monitored Mailbox <${MONITOR}>`);
  });

  it('Email exclude pattern (subject and body), Unread Emails Only, Attach Original EML', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Weekly newsletter' }));
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'plain', body: 'unsubscribe here' }));
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'already read' }), { isRead: true });
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Real report' }));
    const dir = await stateDir();
    const run = await cycle(h, connectorConfig(h, { 'Email exclude pattern': 'newsletter|unsubscribe', 'Unread Emails Only': true, 'Attach Original EML': true }), dir);
    expect(run.printed.map((a) => a.events[0].orig_subject)).toEqual(['Real report']);
    const eml = run.printed[0].attachments.find((a) => a.type === '.eml')!;
    expect(eml.name).toBe('Real report.eml');
    expect(Buffer.from(eml.content_base64, 'base64').toString()).toContain('Subject: Real report');
  });

  it('Mark Emails as Read marks only what was committed', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'mark me' }));
    const dir = await stateDir();
    await cycle(h, connectorConfig(h, { 'Mark Emails as Read': true }), dir);
    const graph = h.client();
    const list = await graph.get<{ value: Array<{ subject: string; isRead: boolean }> }>(`/users/${MONITOR}/messages`, { query: { $select: 'subject,isRead' } });
    expect(list.value).toEqual([{ subject: 'mark me', isRead: true, id: expect.any(String) }].map(({ subject, isRead }) => expect.objectContaining({ subject, isRead })));
  });

  it('overflow: the 51st similar alert in 10 minutes is recorded, not emitted, and not re-evaluated', async () => {
    for (let i = 0; i < 53; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `flood ${i}` }));
    const dir = await stateDir();
    const run = await cycle(h, connectorConfig(h, { 'Max Emails Per Cycle': '100' }), dir);
    expect(run.printed).toHaveLength(50);
    const store = openSqliteStore(dir, { readOnly: true });
    expect(store.alerts({ includeOverflow: true }).filter((a) => a.overflow)).toHaveLength(3);
    store.close();
    expect((await cycle(h, connectorConfig(h, { 'Max Emails Per Cycle': '100' }), dir)).printed).toEqual([]);
    const free = await cycle(h, connectorConfig(h, { 'Disable Overflow': true }), await stateDir());
    expect(free.printed).toHaveLength(10);
  });

  it('a second connector on the same state dir is refused', async () => {
    const dir = await stateDir();
    const first = openSqliteStore(dir);
    try {
      expect(() => openSqliteStore(dir)).toThrow(StateDirBusyError);
    } finally {
      first.close();
    }
    openSqliteStore(dir).close();
  });

  it('a folder that is not there is a clear error; the others are read and the state kept', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'still read' }));
    const dir = await stateDir();
    const run = await cycle(h, connectorConfig(h, { 'Folder to check for emails': 'Inbox,Inbox/Nope' }), dir);
    expect(run.printed).toHaveLength(1);
    expect(run.code).toBe(1);
    expect(run.warnings.join('\n')).toContain('folder "Inbox/Nope" was not found');
  });

  it('a folder renamed in Outlook keeps being read (by the id committed with its cursor)', async () => {
    const folder = await h.admin<{ id: string }>('POST', `/users/${MONITOR}/folders`, { path: 'Inbox/Phishing' });
    await h.deliver(MONITOR, 'Inbox/Phishing', email({ subject: 'before the rename' }));
    const dir = await stateDir();
    const config = connectorConfig(h, { 'Folder to check for emails': 'Inbox/Phishing' });
    expect((await cycle(h, config, dir)).printed.map((a) => a.events[0].orig_subject)).toEqual(['before the rename']);
    await h.client().patch(`/users/${MONITOR}/mailFolders/${folder.id}`, { displayName: 'Phishing (old)' });
    await h.deliver(MONITOR, 'Inbox/Phishing (old)', email({ subject: 'after the rename' }));
    const after = await cycle(h, config, dir);
    expect(after.code, after.warnings.join('\n')).toBe(0);
    expect(after.printed.map((a) => a.events[0].orig_subject)).toEqual(['after the rename']);
  });

  it('Product Field Name and Event Field Name name the keys the SOAR reads', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'fields' }));
    const [alert] = (await cycle(h, connectorConfig(h, { 'Product Field Name': 'product', 'Event Field Name': 'subtype' }), await stateDir())).printed;
    expect(alert.events[0]).toMatchObject({ product: 'Graph Mail', subtype: 'Email Received in Monitoring Mailbox' });
    expect(alert.events[0]).not.toHaveProperty('device_product');
    expect(alert.device_product).toBe('Graph Mail');
  });

  it('webhook: receiver down, then up: every alert once, in order, signed', async () => {
    const got: Array<{ key: string; sig: string; body: { ticket_id: string } }> = [];
    let up = false;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!up) return res.writeHead(503).end();
        got.push({ key: String(req.headers['idempotency-key']), sig: String(req.headers['x-signature-256']), body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
      for (let i = 0; i < 3; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `hook ${i}` }));
      const dir = await stateDir();
      let clock = Date.now();
      const config = connectorConfig(h, { 'Alerts Webhook URL': url, 'Alerts Webhook Secret': 'hook-secret' });
      const down = await cycle(h, config, dir, { now: () => clock });
      expect(down.printed).toHaveLength(3);
      expect(down.warnings.join('\n')).toContain('HTTP 503');
      up = true;
      clock += 10 * 60_000;
      await cycle(h, config, dir, { now: () => clock });
      expect(got.map((g) => g.body.ticket_id)).toEqual(committed(dir).map((a) => a.ticket_id));
      expect(got.every((g) => g.key === g.body.ticket_id && /^sha256=[0-9a-f]{64}$/.test(g.sig))).toBe(true);
      clock += 10 * 60_000;
      await cycle(h, config, dir, { now: () => clock });
      expect(got).toHaveLength(3);
    } finally {
      server.close();
    }
  });
});
