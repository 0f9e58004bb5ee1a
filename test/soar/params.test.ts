import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/soar/errors.ts';
import { parseParams, splitList, type ParamSchema } from '../../src/soar/params.ts';
import { closestNames, suggestionText } from '../../src/soar/suggest.ts';

const schema: ParamSchema[] = [
  { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, description: '', format: 'addresses' },
  { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null, description: '' },
  { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, description: '', format: 'integer', min: 1 },
  { name: 'Mail IDs', required: false, default: null, type: 'string', options: null, description: '', format: 'list' },
  { name: 'Download Destination', required: true, default: 'GCP Bucket', type: 'list', options: ['GCP Bucket', 'Local File System'], description: '' },
  { name: 'Send From', required: true, default: null, type: 'string', options: null, description: '', defaultsToDefaultMailbox: true },
  { name: 'Token', required: false, default: null, type: 'password', options: null, description: '' },
];
const ctx = { defaultMailbox: 'soc@contoso.test' };

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseParams', () => {
  it('applies defaults, types and the Default Mailbox fallback', () => {
    const p = parseParams(schema, { 'search in mailbox': 'a@x.test, B@x.test ,,b@X.test' }, ctx);
    expect(p.list('Search In Mailbox')).toEqual(['a@x.test', 'B@x.test']);
    expect(p.boolean('Only Unread')).toBe(false);
    expect(p.integer('How many mailboxes to process in a single batch')).toBe(25);
    expect(p.list('Mail IDs')).toEqual([]);
    expect(p.string('Download Destination')).toBe('GCP Bucket');
    expect(p.string('Send From')).toBe('soc@contoso.test');
  });

  it('reads booleans case-insensitively, options canonically and "Default Mailbox" literally', () => {
    const p = parseParams(schema, {
      'Search In Mailbox': 'a@x.test',
      'Only Unread': 'TRUE',
      'Download Destination': 'local file system',
      'Send From': 'Default Mailbox',
      'How many mailboxes to process in a single batch': ' 3 ',
    }, ctx);
    expect(p.boolean('Only Unread')).toBe(true);
    expect(p.string('Download Destination')).toBe('Local File System');
    expect(p.string('Send From')).toBe('soc@contoso.test');
    expect(p.integer('How many mailboxes to process in a single batch')).toBe(3);
  });

  it('keeps Graph ids case-sensitive when removing duplicates', () => {
    expect(splitList('AAMk=, aamk=, AAMk=', false)).toEqual(['AAMk=', 'aamk=']);
  });

  it('names the parameter in value errors', () => {
    const e = inputError(() => parseParams(schema, { 'Search In Mailbox': 'a@x', 'Only Unread': 'maybe' }, ctx));
    expect(e.message).toBe('Invalid value for parameter "Only Unread": expected true or false, got "maybe".');
    expect(e.parameter).toBe('Only Unread');
    expect(inputError(() => parseParams(schema, { 'Search In Mailbox': 'a@x', 'How many mailboxes to process in a single batch': '0' }, ctx)).message)
      .toBe('Invalid value for parameter "How many mailboxes to process in a single batch": expected a whole number between 1 and 9007199254740991, got "0".');
    expect(inputError(() => parseParams(schema, { 'Search In Mailbox': 'a@x', 'How many mailboxes to process in a single batch': '2.5' }, ctx)).message)
      .toContain('expected a whole number');
    expect(inputError(() => parseParams(schema, { 'Search In Mailbox': 'a@x', 'Download Destination': 'S3' }, ctx)).message)
      .toBe('Invalid value for parameter "Download Destination": expected one of "GCP Bucket", "Local File System", got "S3".');
    expect(inputError(() => parseParams(schema, {}, ctx)).message).toBe('Missing required parameter "Search In Mailbox".');
  });

  it('says the accepted range of a number, also for one too big for a JavaScript number', () => {
    const ranged: ParamSchema[] = [{ name: 'Max Emails To Return', required: false, default: null, type: 'string', options: null, description: '', format: 'integer', min: 1, max: 1000 }];
    const message = (v: string | number) => inputError(() => parseParams(ranged, { 'Max Emails To Return': v })).message;
    const expected = (v: string) => `Invalid value for parameter "Max Emails To Return": expected a whole number between 1 and 1000, got "${v}".`;
    expect(message('9007199254740993')).toBe(expected('9007199254740993'));
    expect(message('1001')).toBe(expected('1001'));
    expect(message('-1')).toBe(expected('-1'));
    expect(message(1e21)).toBe(expected('1e+21'));
    expect(parseParams(ranged, { 'Max Emails To Return': '1000' }).integer('Max Emails To Return')).toBe(1000);
    // Unbounded in the schema: the bound is what a number holds exactly, never a rounded value.
    const open = inputError(() => parseParams(schema, { 'Search In Mailbox': 'a@x', 'How many mailboxes to process in a single batch': '9007199254740993' }, ctx));
    expect(open.message).toBe('Invalid value for parameter "How many mailboxes to process in a single batch": expected a whole number between 1 and 9007199254740991, got "9007199254740993".');
    expect(open.parameter).toBe('How many mailboxes to process in a single batch');
  });

  it('masks password values when the parsed parameters are logged', () => {
    const p = parseParams(schema, { 'Search In Mailbox': 'a@x', Token: 'hunter22' }, ctx);
    expect(p.string('Token')).toBe('hunter22');
    expect(JSON.stringify(p)).not.toContain('hunter22');
  });

  it('rejects unknown names as a usage error with the closest names', () => {
    expect(() => parseParams(schema, { 'Only Unred': 'true' }, ctx)).toThrow(UsageError);
    expect(() => parseParams(schema, { 'Only Unred': 'true' }, ctx)).toThrow('Unknown parameter "Only Unred". Did you mean "Only Unread"?');
    expect(() => parseParams([], { x: '1' })).toThrow('this action takes no parameters');
    expect(() => parseParams(schema, { 'only unread': 'true', 'ONLY UNREAD': 'false' }, ctx)).toThrow('given more than once');
  });
});

describe('suggestions', () => {
  const names = ['Mark Email as Junk', 'Mark Email as Not Junk', 'Ping', 'Search Emails'];
  it('finds typos and fragments case-insensitively', () => {
    expect(closestNames('pnig', names)).toEqual(['Ping']);
    expect(closestNames('junk', names)).toEqual(['Mark Email as Junk', 'Mark Email as Not Junk']);
    expect(closestNames('SEARCH EMAIL', names)[0]).toBe('Search Emails');
  });
  it('lists every name when nothing is close', () => {
    expect(suggestionText('zzzzzzzzzz', names)).toBe('Valid names: "Mark Email as Junk", "Mark Email as Not Junk", "Ping", "Search Emails".');
  });
});
