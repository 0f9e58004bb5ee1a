/**
 * Every file of ../shared/corpus/{eml,msg,ics,malformed} parsed without throwing anything but a
 * named MailParseError, and without hanging (each parse runs in a worker with a time cap); the
 * expected JSON outputs that msgreader ships for its .msg fixtures are matched for the fields we
 * expose. Skips, saying so, when the corpus is not there.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Summary } from './parse-worker.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(process.env.MSGRAPH_MAIL_CORPUS ?? join(here, '..', '..', '..', 'shared', 'corpus'));
const PER_FILE_CAP_MS = 15_000;
const present = existsSync(CORPUS);
if (!present) console.warn(`test:corpus: ${CORPUS} does not exist; the corpus suite is skipped`);

type Outcome = { ok: true; summary: Summary } | { ok: false; error: { name: string; code?: string; fileName?: string; message: string } } | { ok: false; hang: true };

let worker: Worker | null = null;
let nextId = 0;

function startWorker(): Worker {
  return new Worker(join(here, 'parse-worker.mjs'));
}

/** Parses in the worker; a parse over the cap kills the worker (and counts as a hang). */
function parseCapped(path: string, name: string): Promise<Outcome> {
  worker ??= startWorker();
  const w = worker;
  const id = nextId++;
  return new Promise((done, fail) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
    };
    const timer = setTimeout(() => {
      cleanup();
      void w.terminate();
      worker = null;
      done({ ok: false, hang: true });
    }, PER_FILE_CAP_MS);
    const onMessage = (msg: { id: number } & Outcome): void => {
      if (msg.id !== id) return;
      cleanup();
      done(msg);
    };
    const onError = (err: Error): void => {
      cleanup();
      worker = null;
      fail(err);
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage({ id, path, name });
  });
}

afterAll(async () => {
  await worker?.terminate();
});

function list(sub: string, pick: (n: string) => boolean): string[] {
  const dir = join(CORPUS, sub);
  return existsSync(dir) ? readdirSync(dir).filter(pick).sort() : [];
}

const isMail = (n: string): boolean => /\.(eml|msg|ics)$/i.test(n);

describe.skipIf(!present)('corpus: every well-formed file parses', () => {
  for (const sub of ['eml', 'msg', 'ics']) {
    const files = list(sub, isMail);
    it.each(files)(`${sub}/%s`, async (name) => {
      const out = await parseCapped(join(CORPUS, sub, name), name);
      expect(out, JSON.stringify(out).slice(0, 300)).toMatchObject({ ok: true });
      if (out.ok) expect(out.summary.type).toBe(name.slice(-3).toLowerCase());
    });
  }
});

describe.skipIf(!present)('corpus: malformed files give a named error or a best-effort result', () => {
  it.each(list('malformed', isMail))('malformed/%s', async (name) => {
    const out = await parseCapped(join(CORPUS, 'malformed', name), name);
    expect('hang' in out, `${name} hit the ${PER_FILE_CAP_MS} ms cap`).toBe(false);
    if (!out.ok && 'error' in out) {
      expect(out.error.name).toBe('MailParseError');
      expect(out.error.fileName).toBe(name);
      expect(out.error.message).toContain(name);
    }
  });
});

/** Expected msgreader output files: X.json for X.msg; X-attachments0.json for X's first embedded item. */
function expectations(): Array<{ json: string; msg: string; path: number[] }> {
  const out: Array<{ json: string; msg: string; path: number[] }> = [];
  const msgs = new Set(list('msg', (n) => n.endsWith('.msg')));
  for (const json of list('msg', (n) => n.endsWith('.json'))) {
    const parts = json.slice(0, -5).split(/-attachments/);
    const base = `${parts[0]}.msg`;
    if (!msgs.has(base)) continue;
    out.push({ json, msg: base, path: parts.slice(1).map(Number) });
  }
  return out;
}

interface Expected {
  subject?: string;
  body?: string;
  senderName?: string;
  recipients?: Array<{ name?: string; email?: string; smtpAddress?: string; addressType?: string; recipType?: string }>;
  attachments?: Array<{ fileName?: string; name?: string; innerMsgContent?: boolean; contentLength?: number }>;
}

describe.skipIf(!present)("corpus: msgreader's expected outputs", () => {
  it.each(expectations())('$json', async ({ json, msg, path }) => {
    const expected = JSON.parse(readFileSync(join(CORPUS, 'msg', json), 'utf8')) as Expected;
    const out = await parseCapped(join(CORPUS, 'msg', msg), msg);
    if (!out.ok) throw new Error(JSON.stringify(out));
    let s: Summary = out.summary;
    for (const i of path) {
      const att = s.attachments[i]!;
      expect(att.nestedIndex, `attachment ${i} of ${s.subject} is parsed`).toBeTypeOf('number');
      s = s.nested[att.nestedIndex!]!;
    }
    if (json === 'contactAnsi.json') {
      // msgreader's fixture was written without a code page, so its ANSI strings are mojibake
      // ("R hbg COUv a"); we decode cp932 (from the locale) and must equal the same contact saved as Unicode.
      const unicode = JSON.parse(readFileSync(join(CORPUS, 'msg', 'contactUnicode.json'), 'utf8')) as Expected;
      expect(s.subject).toBe(unicode.subject);
      return;
    }
    expect(s.subject).toBe(expected.subject ?? '');
    expect(s.text).toBe(expected.body ?? '');
    if (expected.senderName) expect(s.fromName).toBe(expected.senderName);
    const recips = expected.recipients ?? [];
    const mine = [...s.to.map((r) => ['to', r] as const), ...s.cc.map((r) => ['cc', r] as const), ...s.bcc.map((r) => ['bcc', r] as const)];
    expect(mine.map(([t, r]) => [t, r.name, r.address]).sort()).toEqual(
      recips
        .map((r) => [r.recipType ?? 'to', r.name ?? '', r.smtpAddress || (r.addressType?.toUpperCase() === 'SMTP' ? r.email : '') || r.email || ''])
        .sort(),
    );
    const atts = expected.attachments ?? [];
    expect(s.attachments.map((a) => a.name)).toEqual(atts.map((a) => (a.innerMsgContent ? `${a.name}.msg` : a.fileName || a.name)));
    atts.forEach((a, i) => {
      if (!a.innerMsgContent && a.contentLength !== undefined) expect(s.attachments[i]!.size).toBe(a.contentLength);
    });
  });
});

describe.skipIf(!present)('corpus: nesting across formats', () => {
  it('parses an .eml that carries an Outlook item that carries the .eml Outlook converted to an item', async () => {
    // Built here, in a temp dir of this run: the corpus file is wrapped, never copied into the repo.
    const msg = readFileSync(join(CORPUS, 'msg', 'Attach sample eml received.msg'));
    const eml = [
      'From: reporter@contoso.example',
      'Subject: FW: look at this',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="w"',
      '',
      '--w',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--w',
      'Content-Type: application/octet-stream; name="forwarded.msg"',
      'Content-Disposition: attachment; filename="forwarded.msg"',
      'Content-Transfer-Encoding: base64',
      '',
      msg.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--w--',
      '',
    ].join('\r\n');
    const dir = mkdtempSync(join(tmpdir(), 'corpus-nest-'));
    try {
      writeFileSync(join(dir, 'wrapper.eml'), eml);
      const out = await parseCapped(join(dir, 'wrapper.eml'), 'wrapper.eml');
      if (!out.ok) throw new Error(JSON.stringify(out));
      const outlook = out.summary.nested[0]!;
      expect([out.summary.type, outlook.type, outlook.subject]).toEqual(['eml', 'msg', 'Attach sample.eml']);
      expect(outlook.nested.map((n) => [n.type, n.subject])).toEqual([['msg', 'sample']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses the calendar lure attached to a phishing .eml', async () => {
    const out = await parseCapped(join(CORPUS, 'eml', 'pp-sample-4587.eml'), 'pp-sample-4587.eml');
    if (!out.ok) throw new Error(JSON.stringify(out));
    const ics = out.summary.nested.find((n) => n.type === 'ics');
    expect(ics?.events).toBeGreaterThan(0);
  });
});

describe.runIf(!present)('corpus: absent', () => {
  it.skip(`../shared/corpus not found at ${CORPUS}: skipped`, () => {});
});
