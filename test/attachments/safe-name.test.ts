import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capNameBytes, resolveInside, safeAttachmentName, withSuffix } from '../../src/mail/destinations/index.ts';
import { InputError } from '../../src/soar/errors.ts';

/** Names an attacker can put in an attachment's filename. */
const HOSTILE = [
  '../../etc/passwd',
  '..\\..\\Windows\\System32\\drivers\\etc\\hosts',
  '/etc/shadow',
  '\\\\server\\share\\x.exe',
  'C:\\Users\\Public\\evil.bat',
  '..',
  '.',
  '...',
  '',
  '   ',
  'a\u0000b.txt',
  'line\r\nbreak.txt',
  '\u001b[31mred.txt',
  'CON',
  'con.txt',
  'NUL.tar.gz',
  'Com1.log',
  'lpt9',
  'AUX .txt',
  'evil.exe.',
  'evil.exe   ',
  'invoice\u202Efdp.exe',
  'a<b>c:d"e|f?g*h.txt',
  'x'.repeat(400) + '.pdf',
  '€'.repeat(200) + '.docx',
  '😀'.repeat(100),
];

describe('safeAttachmentName', () => {
  it.each(HOSTILE)('makes %j one safe, portable segment', (name) => {
    const safe = safeAttachmentName(name);
    expect(safe.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(safe, 'utf8')).toBeLessThanOrEqual(255);
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
    expect(safe).not.toMatch(/[\\/<>:"|?*\u0000-\u001f\u007f\u202e]/);
    expect(safe).not.toMatch(/^\.+$/);
    expect(safe).not.toMatch(/[. ]$/);
    expect(safe.split('.')[0]).not.toMatch(/^(CON|PRN|AUX|NUL|COM\d|LPT\d)$/i);
    expect(safe).toBe(safe.normalize('NFC'));
    expect(path.basename(safe)).toBe(safe);
    // The defence in depth accepts it.
    expect(resolveInside('/downloads', safe).startsWith('/downloads/')).toBe(true);
  });

  it('turns / and \\ into _ as documented, keeping the rest of the name', () => {
    expect(safeAttachmentName('reports/2024\\q1.pdf')).toBe('reports_2024_q1.pdf');
    expect(safeAttachmentName('../../etc/passwd')).toBe('_.._.._etc_passwd');
  });

  it('keeps ordinary names, unicode included', () => {
    for (const n of ['invoice.pdf', 'Rechnung März.xlsx', 'résumé (1).docx', '報告.txt', 'a..b']) expect(safeAttachmentName(n)).toBe(n);
    // A dot file would be hidden from the analyst's listing.
    expect(safeAttachmentName('.hidden')).toBe('_.hidden');
  });

  it('prefixes device names and falls back for empty ones', () => {
    expect(safeAttachmentName('con.txt')).toBe('_con.txt');
    expect(safeAttachmentName('COM1')).toBe('_COM1');
    expect(safeAttachmentName('console.txt')).toBe('console.txt');
    expect(safeAttachmentName('')).toBe('attachment');
    expect(safeAttachmentName('..')).toBe('attachment');
    expect(safeAttachmentName(undefined)).toBe('attachment');
    expect(safeAttachmentName('', 'mail.eml')).toBe('mail.eml');
  });

  it('cuts long names at a character boundary and keeps the extension', () => {
    const cut = safeAttachmentName('€'.repeat(200) + '.docx');
    expect(cut.endsWith('.docx')).toBe(true);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(255);
    expect(cut).not.toContain('\uFFFD');
    expect(capNameBytes('😀'.repeat(100), 10)).toBe('😀😀');
  });

  it('adds a unique suffix before the extension, within the cap', () => {
    expect(withSuffix('report.pdf', '1')).toBe('report-1.pdf');
    expect(withSuffix('README', '1')).toBe('README-1');
    expect(Buffer.byteLength(withSuffix('x'.repeat(255), '2024_01_01-00_00_00_000'))).toBeLessThanOrEqual(255);
  });
});

describe('resolveInside', () => {
  it('refuses anything that leaves the root, naming Download Path', () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', '', '.']) {
      const err = (() => {
        try {
          resolveInside('/downloads', bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(InputError);
      expect((err as InputError).parameter).toBe('Download Path');
    }
  });

  it('accepts names that merely start with dots', () => {
    expect(resolveInside('/downloads', '..foo')).toBe('/downloads/..foo');
    expect(resolveInside('/downloads', 'sub', 'x.txt')).toBe('/downloads/sub/x.txt');
  });
});
