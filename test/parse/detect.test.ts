import { describe, expect, it } from 'vitest';
import { detectMailFileType } from '../../src/mail/parse/index.ts';
import { reportWithAttachedPhish, TWO_EVENTS_ICS } from './fixtures.ts';

const CFB = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

describe('detectMailFileType', () => {
  it('judges by content before name', () => {
    expect(detectMailFileType(reportWithAttachedPhish(), 'invoice.pdf')).toBe('eml');
    expect(detectMailFileType(Buffer.from(`\uFEFF${TWO_EVENTS_ICS}`), 'x.txt')).toBe('ics');
    const outlook = Buffer.concat([CFB, Buffer.alloc(64), Buffer.from('__substg1.0_0037001F', 'utf16le')]);
    expect(detectMailFileType(outlook, 'mail.bin')).toBe('msg');
  });

  it('does not take a Word document named .msg, or plain text named .eml, for mail', () => {
    expect(detectMailFileType(Buffer.concat([CFB, Buffer.alloc(512)]), 'evil.msg')).toBeNull();
    expect(detectMailFileType(Buffer.from('just some words\nand more'), 'notes.eml')).toBeNull();
    expect(detectMailFileType(new Uint8Array(), 'a.eml')).toBeNull();
  });

  it('accepts odd but real headers when the name or type says email', () => {
    expect(detectMailFileType(Buffer.from('X-Custom: 1\r\nFoo: bar\r\n\r\nbody'), 'a.eml')).toBe('eml');
    expect(detectMailFileType(Buffer.from('Foo: 1\r\n\r\nbody'), 'a.bin', 'message/rfc822')).toBe('eml');
  });
});
