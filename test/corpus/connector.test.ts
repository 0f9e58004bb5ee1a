/**
 * The connector over the corpus: every .eml of ../shared/corpus/eml delivered to a monitored
 * mailbox as it came, and every .eml / .msg / .ics attached to a report, then ingested. Each email
 * must become exactly one alert whose events are flat strings; nothing may crash the cycle.
 * Skips, saying so, when the corpus is not there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailHarness, type MailHarness } from '../mail/helpers.ts';
import { addMonitor, committed, connectorConfig, cycle, MONITOR, stateDir } from '../connector/helpers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(process.env.MSGRAPH_MAIL_CORPUS ?? join(here, '..', '..', '..', 'shared', 'corpus'));
const present = existsSync(CORPUS);
const files = (sub: string, ext: string) => (present && existsSync(join(CORPUS, sub)) ? readdirSync(join(CORPUS, sub)).filter((f) => f.toLowerCase().endsWith(ext)).sort() : []);

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
  await addMonitor(h);
});
afterAll(async () => h?.close());

function report(name: string, type: string, bytes: Buffer, n: number): string {
  const b = `corpus-boundary-${n}`;
  return [
    'From: Reporter <alice.martin@contoso.example>', `To: ${MONITOR}`, `Subject: Report ${n}: ${name.replace(/[^\x20-\x7e]/g, '_')}`, `Message-ID: <corpus-report-${n}@contoso.example>`, 'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, 'Content-Type: text/plain', '', 'Please check the attached email.', '',
    `--${b}`, `Content-Type: ${type}; name="${n}-attached"`, `Content-Disposition: attachment; filename="${n}-attached${name.slice(name.lastIndexOf('.'))}"`, 'Content-Transfer-Encoding: base64', '',
    bytes.toString('base64').replace(/.{76}/g, '$&\r\n'), `--${b}--`, '',
  ].join('\r\n');
}

describe.skipIf(!present)('connector over the corpus', () => {
  it('ingests every corpus email, and every corpus mail file attached to a report, each once', async () => {
    let delivered = 0;
    for (const f of files('eml', '.eml')) {
      try {
        await h.deliver(MONITOR, 'Inbox', readFileSync(join(CORPUS, 'eml', f)).toString('latin1'));
        delivered++;
      } catch {
        // The emulator refuses what Exchange would not store either; the attached variant below still runs it.
      }
    }
    let n = 0;
    for (const [sub, ext, type] of [['eml', '.eml', 'message/rfc822'], ['msg', '.msg', 'application/vnd.ms-outlook'], ['ics', '.ics', 'text/calendar']] as const) {
      for (const f of files(sub, ext)) {
        await h.deliver(MONITOR, 'Inbox', report(f, type, readFileSync(join(CORPUS, sub, f)), ++n));
        delivered++;
      }
    }
    expect(delivered).toBeGreaterThan(100);
    const dir = await stateDir();
    const config = connectorConfig(h, { 'Max Emails Per Cycle': '100', 'Disable Overflow': true, 'Offset Time In Hours': 24 * 365 * 40 });
    for (let i = 0; i < Math.ceil(delivered / 100) + 2; i++) {
      const run = await cycle(h, config, dir);
      expect(run.warnings.filter((w) => /failed, nothing committed/.test(w))).toEqual([]);
    }
    const alerts = committed(dir);
    expect(alerts).toHaveLength(delivered);
    expect(new Set(alerts.map((a) => a.source_message_id)).size).toBe(delivered);
    for (const a of alerts) for (const e of a.events) expect(Object.values(e).every((v) => typeof v === 'string')).toBe(true);
    const withAttachedEvents = alerts.filter((a) => a.events.length > 1).length;
    console.log(`connector over the corpus: ${delivered} emails, ${alerts.length} alerts, ${withAttachedEvents} with attached-mail events, ${alerts.filter((a) => a.events[0].connector_errors).length} with connector_errors`);
    expect(withAttachedEvents).toBeGreaterThan(n / 2);
  });
});
