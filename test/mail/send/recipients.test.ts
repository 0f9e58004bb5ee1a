import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/soar/errors.ts';
import { isValidAddress, parseRecipientParameters, parseRecipients, requireRecipients, splitRecipientList } from '../../../src/mail/send/recipients.ts';

function failure(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('recipient parameters', () => {
  it('take comma and semicolon lists, bare and Name <addr> forms', () => {
    expect(parseRecipients('CC', 'a@x.example, Bob Keller <bob@y.example>;"Last, First" <c@z.example> ; d@x.example')).toEqual([
      { emailAddress: { address: 'a@x.example' } },
      { emailAddress: { address: 'bob@y.example', name: 'Bob Keller' } },
      { emailAddress: { address: 'c@z.example', name: 'Last, First' } },
      { emailAddress: { address: 'd@x.example' } },
    ]);
  });

  it('keep a quoted name with a comma or semicolon in it as one entry', () => {
    expect(splitRecipientList('"Doe; John" <j@x.example>, <k@x.example>')).toEqual(['"Doe; John" <j@x.example>', '<k@x.example>']);
  });

  it('drop empty entries and repeats of one address (any case)', () => {
    expect(parseRecipients('Send to', ' a@x.example,, A@X.example ;')).toEqual([{ emailAddress: { address: 'a@x.example' } }]);
  });

  it('are empty when the parameter is empty or absent', () => {
    expect(parseRecipients('BCC', '')).toEqual([]);
    expect(parseRecipients('BCC', undefined)).toEqual([]);
    expect(parseRecipients('BCC', '  ')).toEqual([]);
  });

  it('accept a comment after the address', () => {
    expect(parseRecipients('CC', 'a@x.example (SOC desk)')).toEqual([{ emailAddress: { address: 'a@x.example' } }]);
  });

  for (const bad of ['alice', 'alice@contoso', 'alice@@contoso.example', '@contoso.example', 'alice@contoso..example', 'al ice@contoso.example', 'Name <>', '<a@x.example> <b@x.example>', 'alice@-contoso.example', 'a@1.2']) {
    it(`refuse ${JSON.stringify(bad)}, naming the parameter and the entry`, () => {
      const err = failure(() => parseRecipients('Reply-To Recipients', `ok@x.example, ${bad}`));
      expect(err.parameter).toBe('Reply-To Recipients');
      expect(err.message).toContain('"Reply-To Recipients"');
      expect(err.message).toContain(`"${bad}"`);
      expect(err.message).not.toContain('ok@x.example');
    });
  }

  it('are checked together, the first bad parameter reported', () => {
    const err = failure(() =>
      parseRecipientParameters({ to: { parameter: 'Send to', value: 'a@x.example' }, cc: { parameter: 'CC', value: 'nobody' }, bcc: { parameter: 'BCC', value: 'x' } }),
    );
    expect(err.parameter).toBe('CC');
    const ok = parseRecipientParameters({ to: { parameter: 'Send to', value: 'a@x.example' }, replyTo: { parameter: 'Reply-To Recipients', value: 'r@x.example' } });
    expect(ok.toRecipients).toHaveLength(1);
    expect(ok.replyTo).toEqual([{ emailAddress: { address: 'r@x.example' } }]);
    expect(ok.ccRecipients).toEqual([]);
  });

  it('a required one left empty names the parameter', () => {
    const err = failure(() => requireRecipients('Send to', parseRecipients('Send to', ' ; ')));
    expect(err.parameter).toBe('Send to');
  });

  it('addresses: international domains and plus tags pass', () => {
    expect(isValidAddress('soc+phish@contoso.example')).toBe(true);
    expect(isValidAddress("o'brien@bücher.example")).toBe(true);
    expect(isValidAddress('a'.repeat(65) + '@x.example')).toBe(false);
  });
});
