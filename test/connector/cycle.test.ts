import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describe('connector cycle against the emulator', () => {
  it('ingests each email once, oldest first, Max Emails Per Cycle at a time', async () => {
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 7; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `report ${i}` }), { receivedDateTime: iso(base + i * 60_000) });
    const dir = await stateDir();
    const config = connectorConfig(h, { 'Max Emails Per Cycle': '3' });
    const first = await cycle(h, config, dir);
    expect(first.code, first.warnings.join('\n')).toBe(0);
    expect(first.printed.map((a) => a.events[0].orig_subject)).toEqual(['report 0', 'report 1', 'report 2']);
    const second = await cycle(h, config, dir);
    const third = await cycle(h, config, dir);
    const fourth = await cycle(h, config, dir);
    expect([...second.printed, ...third.printed].map((a) => a.events[0].orig_subject)).toEqual(['report 3', 'report 4', 'report 5', 'report 6']);
    expect(fourth.printed).toEqual([]);
    expect(committed(dir)).toHaveLength(7);
  });

  it('emails of the same second are neither skipped nor repeated', async () => {
    const t = iso(Date.now() - 600_000);
    for (let i = 0; i < 5; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `same second ${i}` }), { receivedDateTime: t });
    const dir = await stateDir();
    const config = connectorConfig(h, { 'Max Emails Per Cycle': '2' });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(...(await cycle(h, config, dir)).printed.map((a) => a.events[0].orig_subject));
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `same second ${i}`));
  });

  it('an email arriving late with an earlier receivedDateTime (within the lookback) is still taken', async () => {
    const dir = await stateDir();
    const config = connectorConfig(h);
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'on time' }), { receivedDateTime: iso(Date.now() - 60_000) });
    expect((await cycle(h, config, dir)).printed).toHaveLength(1);
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'late' }), { receivedDateTime: iso(Date.now() - 120_000) });
    expect((await cycle(h, config, dir)).printed.map((a) => a.events[0].orig_subject)).toEqual(['late']);
  });

  it('builds events as the SOAR integration does', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'Invoice', to: 'Bob <bob.keller@contoso.example>, carol.diaz@contoso.example', html: '<a href="https://evil.example/x?a=1&amp;b=2">pay</a>' }));
    const dir = await stateDir();
    const [alert] = (await cycle(h, connectorConfig(h), dir)).printed;
    const ev = alert.events[0];
    expect(ev).toMatchObject({
      orig_subject: 'Invoice',
      orig_toRecipients_emailAddress_address_1: 'bob.keller@contoso.example',
      orig_toRecipients_emailAddress_name_1: 'Bob',
      orig_toRecipients_emailAddress_address_2: 'carol.diaz@contoso.example',
      orig_from_emailAddress_address: 'alice.martin@contoso.example',
      orig_isRead: 'False',
      orig_url_1: 'https://evil.example/x?a=1&b=2',
      event_name: 'Email Received in Monitoring Mailbox',
      device_product: 'Graph Mail',
      device_vendor: 'Microsoft',
      monitored_mailbox_name: MONITOR,
      email_folder: 'Inbox',
    });
    expect(alert).toMatchObject({ name: `Microsoft Graph Monitored Mailbox <${MONITOR}>`, priority: 40, device_product: 'Graph Mail', environment: '' });
    expect(Object.values(ev).every((v) => typeof v === 'string')).toBe(true);
  });

  it('a crash between any two steps loses and repeats nothing', async () => {
    for (const crashAt of ['read', 'details', 'mapped', 'committed', 'printed', 'marked'] as const) {
      await h.reset();
      await addMonitor(h);
      for (let i = 0; i < 4; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `crash ${crashAt} ${i}` }), { receivedDateTime: iso(Date.now() - (10 - i) * 60_000) });
      const dir = await stateDir();
      const config = connectorConfig(h, { 'Max Emails Per Cycle': '3', 'Mark Emails as Read': true });
      const crashed = await cycle(h, config, dir, { crashAt });
      expect(crashed.code).not.toBe(0);
      for (let i = 0; i < 3; i++) await cycle(h, config, dir);
      const subjects = committed(dir).map((a) => a.events[0].orig_subject);
      expect(subjects, crashAt).toEqual([0, 1, 2, 3].map((i) => `crash ${crashAt} ${i}`));
      const unread = await h.admin<{ value: Array<{ isRead: boolean }> }>('GET', `/users/${encodeURIComponent(MONITOR)}/messages`).catch(() => undefined);
      if (unread?.value) expect(unread.value.filter((m) => !m.isRead)).toEqual([]);
    }
  });

  it('stops reading before the Script Timeout; what it did not reach waits for the next cycle', async () => {
    for (let i = 0; i < 6; i++) await h.deliver(MONITOR, 'Inbox', email({ subject: `slow ${i}` }), { receivedDateTime: iso(Date.now() - (10 - i) * 60_000) });
    const dir = await stateDir();
    const config = connectorConfig(h, { 'Script Timeout (Seconds)': '60' });
    // The clock jumps past the deadline once two emails have been read in full.
    const start = Date.now();
    let reads = 0;
    const now = () => (reads++ < 4 ? start : start + 3_600_000);
    const first = await cycle(h, config, dir, { now });
    expect(first.printed.length).toBeGreaterThan(0);
    expect(first.printed.length).toBeLessThan(6);
    expect(first.warnings.join('\n')).toContain('left for the next cycle (Script Timeout)');
    await cycle(h, config, dir);
    expect(committed(dir).map((a) => a.events[0].orig_subject)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `slow ${i}`));
  });

  it('a test run prints what it would commit and writes nothing', async () => {
    await h.deliver(MONITOR, 'Inbox', email({ subject: 'dry' }));
    const dir = await stateDir();
    const run = await cycle(h, connectorConfig(h), dir, { testRun: true });
    expect(run.printed).toHaveLength(1);
    expect(committed(dir)).toEqual([]);
    expect((await cycle(h, connectorConfig(h), dir)).printed).toHaveLength(1);
  });
});
