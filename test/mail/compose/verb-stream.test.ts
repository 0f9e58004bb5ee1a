/** PidLidVerbStream against the specification's own example ([MS-OXOMSG] 4.5: "Yes", "No", "Maybe"). */
import { describe, expect, it } from 'vitest';
import { verbStream, votingButtonsProperty, votingOptionsOf, VERB_STREAM_PROPERTY_ID } from '../../../src/mail/compose/verb-stream.ts';

// [MS-OXOMSG] section 4.5, "Sending a Message with Voting Options": the complete property.
const SPEC_EXAMPLE = `
02 01 03 00 00 00 04 00 00 00 03 59 65 73 08 49 50 4D 2E 4E 6F 74 65 00 03 59 65 73 00 00 00 00
00 00 00 00 00 01 00 00 00 02 00 00 00 02 00 00 00 01 00 00 00 FF FF FF FF 04 00 00 00 02 4E 6F
08 49 50 4D 2E 4E 6F 74 65 00 02 4E 6F 00 00 00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 02 00
00 00 02 00 00 00 FF FF FF FF 04 00 00 00 05 4D 61 79 62 65 08 49 50 4D 2E 4E 6F 74 65 00 05 4D
61 79 62 65 00 00 00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 02 00 00 00 03 00 00 00 FF FF FF
FF 04 01 03 59 00 65 00 73 00 03 59 00 65 00 73 00 02 4E 00 6F 00 02 4E 00 6F 00 05 4D 00 61 00
79 00 62 00 65 00 05 4D 00 61 00 79 00 62 00 65 00`;

describe('PidLidVerbStream', () => {
  it('is byte for byte the specification example for Yes / No / Maybe', () => {
    const expected = Buffer.from(SPEC_EXAMPLE.replace(/\s+/g, ''), 'hex');
    expect(expected.length).toBe(0xd1);
    expect(verbStream(['Yes', 'No', 'Maybe']).equals(expected)).toBe(true);
  });

  it('goes to Graph as a binary single-value extended property of PSETID_Common 0x8520', () => {
    const p = votingButtonsProperty(['Approve', 'Reject']);
    expect(p.id).toBe(VERB_STREAM_PROPERTY_ID);
    expect(p.id).toBe('Binary {00062008-0000-0000-C000-000000000046} Id 0x8520');
    expect(Buffer.from(p.value, 'base64').subarray(0, 6).toString('hex')).toBe('020102000000');
  });

  it('refuses what the format cannot carry', () => {
    expect(() => verbStream([])).toThrow(RangeError);
    expect(() => verbStream(['Ja ✓'])).toThrow(/printable ASCII/);
  });

  it('reads back the options of the specification example and of our own streams', () => {
    expect(votingOptionsOf(Buffer.from(SPEC_EXAMPLE.replace(/\s+/g, ''), 'hex'))).toEqual(['Yes', 'No', 'Maybe']);
    expect(votingOptionsOf(verbStream(['Approve', 'Reject']))).toEqual(['Approve', 'Reject']);
  });

  it('leaves out verbs that are not votes (Outlook also lists Reply, Reply All, Forward) and refuses garbage', () => {
    const stream = Buffer.from(verbStream(['Reply', 'Approve']));
    stream.writeUInt32LE(1, 6); // the first option's verb type: 1 is not a vote
    expect(votingOptionsOf(stream)).toEqual(['Approve']);
    expect(votingOptionsOf(Buffer.from('not a verb stream'))).toBeNull();
    expect(votingOptionsOf(verbStream(['Yes', 'No']).subarray(0, 20))).toBeNull();
  });
});
