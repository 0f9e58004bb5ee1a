/**
 * The corpus oracle: every .eml of ../shared/corpus read by our parser and by Python's `email`
 * (oracle.py), compared on subject, From, Sender, To, Cc, Reply-To, date and attachment names,
 * for each message and each message attached to it (message/rfc822 parts, at any depth).
 * Every difference left is listed in KNOWN with the reason ours is right; a new difference fails,
 * and so does an entry of KNOWN that no longer differs (the list stays the truth). Skips, saying
 * so, when the corpus or python3 is not there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMailFile, type MailAddress, type ParsedMail } from '../../src/mail/parse/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(process.env.MSGRAPH_MAIL_CORPUS ?? join(here, '..', '..', '..', 'shared', 'corpus'));
const SUBDIRS = ['eml', 'malformed'];

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`test:corpus oracle: ${CORPUS} does not exist; the oracle is skipped`);
else if (!hasPython) console.warn('test:corpus oracle: python3 is not on PATH; the comparison with Python\'s email is skipped');

const FIELDS = ['subject', 'from', 'sender', 'to', 'cc', 'reply_to', 'date', 'attachments'] as const;
type Field = (typeof FIELDS)[number];

/** Where ours and Python's `email` disagree, keyed "dir/file field", with the reason ours is right. */
const KNOWN: Record<string, string> = {
  // Address headers (src/mail/parse/addresses.ts).
  'eml/pp-sample-2600.eml from':
    '`Audien Atom - Hearing Aid  ,_<avag...@4mw0n1x20iiup50kpahu.com>`: one mailbox, the display name cut by a stray comma joined back onto its address; Python makes `Audien` an address and `_` the name.',
  'eml/pp-sample-2407.eml from':
    '`LiebeU50, jehd <service@stayfriends.de>`: an unquoted display name cut by a comma is one mailbox ("LiebeU50, jehd"); Python makes `LiebeU50` an address of its own.',
  'malformed/pp-sample-4177.eml from':
    '`Ihr Black Friday-Sparteam, <service@stayfriends.de.>, Ihr Black Friday-Sparteam, <service@stayfriends.de>`: two mailboxes with their names; Python makes `Ihr` an address, twice.',
  'malformed/pp-sample-4177.eml sender':
    '`Ihr Black Friday-Sparteam;<service@stayfriends.de>`: the same with a semicolon; Python makes `Ihr` an address.',
  'eml/pp-sample-5856.eml sender':
    '`"""""~~ᴘ.ᴀ.ʏ...ᴅ""""", è<newsletters...>`: the display name cut by a comma joins the address it stands before; Python keeps only `è`.',
  'eml/pp-sample-1086.eml to':
    '`"phishing@pot" <phishing@pot@hotmail.com>`: the address is kept whole as written in its angle brackets; Python splits it at the second @ into a name-only entry and an address `hotmail.com` the header never names.',
  'eml/pp-sample-651.eml to': 'The same `<phishing@pot@hotmail.com>` as pp-sample-1086.',
  'eml/pp-sample-896.eml to': 'The same `<phishing@pot@hotmail.com>` as pp-sample-1086 (the other two recipients agree).',
  'eml/pp-sample-5380.eml to': 'The same `phishing@pot@hotmail.com`, without angle brackets: kept whole; Python splits it.',
  'malformed/pp-sample-5626.eml from':
    '`<rewards@hd-promos,com>`: kept whole as written in its angle brackets (the indicator as sent); Python splits it at the comma into `rewards@hd-promos` and an address `com`.',
  'eml/pp-sample-1298.eml from': '`phishing@pot <phishing@pot>` is one mailbox whose display name is its address; Python reads two mailboxes.',
  'eml/pp-sample-1968.eml from': 'The same `phishing@pot <phishing@pot>` as pp-sample-1298.',
  'eml/pp-sample-591.eml to':
    '`TO: 9942o1L1...U4x S3y1d6@yandex.com` (no angle brackets): the word with an @ is the address, the word before it the name; Python gives one address with a space inside.',
  'malformed/pp-sample-5330.eml from':
    '`"Mr.Johnnie Taylor <info3@gogies.net>` opens a quote it never closes, so it holds no quoted-string: ours reads the name and the address; Python takes the whole text for an address.',
  'malformed/pp-sample-5330.eml to':
    '`Recipients <Mr.Johnnie Taylor <info3@gogies.net>>`: the inner angle address is the address, the rest the name; Python makes `Mr.Johnnie Taylor` an address.',
  'malformed/pp-sample-400.eml from':
    "`From : juliapolska1994@outlook.com`: space before the colon is RFC 5322's obsolete field syntax (4.5.2, obs-from), read as From; Python takes a line starting \"From \" for an mbox separator and loses the header.",
  // Display names: spacing as written.
  'eml/pp-sample-5965.eml from':
    '`"=?ASCII?Q?-Gemeentelijk/Energieadvies?="0876 <...>`: no space stands between the quoted string and 0876, and the name is kept as written; Python joins the two words with a space.',
  'malformed/pp-sample-2035.eml from':
    '`"=?UTF-8?B?Q2/Mt3JyZWlvzLdzLg==?=..."`: the dots follow the encoded-word with no space, and the decoded name keeps them so; Python puts a space after every encoded-word.',
  // Files and parts.
  'malformed/pp-sample-2227.eml parse': 'A 0-byte file: ours is a named error (EMPTY); Python parses it as a message with no headers and no body.',
  'malformed/mailparser-decoderended.eml > 1 parse':
    'The attached message/rfc822 part is empty (its boundary follows its headers): ours marks it as an attached email that cannot be parsed (EMPTY, an error entry in Extract Data); Python gives an empty message.',
  'malformed/cpython-msg_19.eml parse':
    'A digest body with no header field at all (its first line, "Send Ppp mailing list submissions to", is no `name: value`): ours is a named error (MALFORMED, no header field); Python takes the text for broken headers and gives an email whose every field is empty.',
  'eml/cpython-msg_44.eml attachments':
    'Two text/plain parts with a name= but no Content-Disposition: shown inline as body text, as mail clients show undispositioned text (their text is in `text`, nothing is lost); Python lists every named leaf.',
  'malformed/cpython-msg_15.eml attachments':
    "A multipart/alternative reusing its parent's boundary: ours still finds the image/gif attachment xx.gif; Python's reading of the broken tree loses it.",
};

interface PythonMessage {
  subject: string | null;
  from: Array<[string, string]>;
  sender: Array<[string, string]>;
  to: Array<[string, string]>;
  cc: Array<[string, string]>;
  reply_to: Array<[string, string]>;
  date: string | null;
  attachments: string[];
  /** Its attached messages (message/rfc822 parts), in order. */
  attached: PythonMessage[];
}

interface PythonReading extends PythonMessage {
  file: string;
  error?: string;
}

/** Folding and runs of spaces are presentation, not content. */
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

const pairs = (list: readonly MailAddress[]): Array<[string, string]> => list.map((a) => [squash(a.name), a.address]);

/** Unnamed parts get a made-up name (`part-N.ext`); Python has no name for them. */
const FALLBACK_NAME = /^part-\d+\.[a-z]+$/;

function ours(p: ParsedMail): Record<Field, unknown> {
  return {
    subject: squash(p.subject),
    from: pairs(p.fromAll),
    sender: p.sender ? pairs([p.sender]) : [],
    to: pairs(p.to),
    cc: pairs(p.cc),
    reply_to: pairs(p.replyTo),
    date: p.dateIso ? p.dateIso.replace(/\.\d{3}Z$/, 'Z') : null,
    attachments: p.attachments.map((a) => a.name).filter((n) => !FALLBACK_NAME.test(n)),
  };
}

function theirs(r: PythonMessage): Record<Field, unknown> {
  const names = (list: Array<[string, string]>) => list.map(([n, a]): [string, string] => [squash(n), a]);
  return {
    subject: r.subject === null ? '' : squash(r.subject),
    from: names(r.from),
    sender: names(r.sender),
    to: names(r.to),
    cc: names(r.cc),
    reply_to: names(r.reply_to),
    date: r.date,
    attachments: r.attachments,
  };
}

/** The message/rfc822 attachments, in order: parsed, or why not. */
function attachedEmails(p: ParsedMail): Array<ParsedMail | string> {
  return p.attachments
    .filter((a) => a.contentType === 'message/rfc822')
    .map((a) => (a.nestedIndex !== undefined ? p.nested[a.nestedIndex]! : (a.parseError?.message ?? 'not parsed')));
}

function corpusFiles(): string[] {
  return SUBDIRS.flatMap((sub) => {
    const dir = join(CORPUS, sub);
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.eml')).sort().map((n) => `${sub}/${n}`) : [];
  });
}

describe.skipIf(!hasCorpus || !hasPython)("corpus oracle: our parser against Python's email", () => {
  it('agrees on every field of every .eml, or the difference is listed with its reason', async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(0);
    const run = spawnSync('python3', [join(here, 'oracle.py'), ...files.map((f) => join(CORPUS, f))], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(run.status, run.stderr).toBe(0);
    const readings = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as PythonReading);
    expect(readings).toHaveLength(files.length);

    const differences = new Map<string, { ours: unknown; python: unknown }>();
    /** One message and, the same way, each message attached to it ("file > 2" is its second). */
    const compare = (where: string, mine: ParsedMail | string, py: PythonMessage): void => {
      if (typeof mine === 'string') {
        differences.set(`${where} parse`, { ours: mine, python: 'parsed' });
        return;
      }
      const a = ours(mine);
      const b = theirs(py);
      for (const field of FIELDS) {
        if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) differences.set(`${where} ${field}`, { ours: a[field], python: b[field] });
      }
      const inner = attachedEmails(mine);
      if (inner.length !== py.attached.length) differences.set(`${where} attached`, { ours: inner.length, python: py.attached.length });
      inner.slice(0, py.attached.length).forEach((m, k) => compare(`${where} > ${k + 1}`, m, py.attached[k]!));
    };
    for (const [i, file] of files.entries()) {
      const reading = readings[i]!;
      expect(reading.error, `${file}: Python could not read it`).toBeUndefined();
      let mine: ParsedMail | string;
      try {
        mine = await parseMailFile(readFileSync(join(CORPUS, file)), { fileName: file });
      } catch (e) {
        mine = String(e);
      }
      compare(file, mine, reading);
    }

    const unexplained = [...differences].filter(([key]) => !(key in KNOWN));
    const stale = Object.keys(KNOWN).filter((key) => !differences.has(key));
    const report = unexplained.map(([key, d]) => `${key}\n  ours:   ${JSON.stringify(d.ours)}\n  python: ${JSON.stringify(d.python)}`).join('\n');
    expect(unexplained.length, `differences not in KNOWN:\n${report}`).toBe(0);
    expect(stale, 'KNOWN entries that no longer differ (remove them)').toEqual([]);
  });
});

if (hasCorpus && !hasPython) {
  describe('corpus oracle: python3 absent', () => {
    it.skip("python3 is not on PATH: the comparison with Python's email is skipped", () => {});
  });
}
