/**
 * Outlook's voting buttons: the PidLidVerbStream property ([MS-OXOMSG] 2.2.1.74; [MS-OXPROPS]
 * 2.350: PSETID_Common {00062008-0000-0000-C000-000000000046}, LID 0x8520, PtypBinary) that Outlook
 * reads to show "Approve" / "Reject" on a message, sent through Graph as a single-value extended
 * property. Outlook answers with PidLidVerbResponse (LID 0x8524, PtypString) on the reply, which the
 * waiting action reads first. The layout follows the specification's own example (section 4.5,
 * "Sending a Message with Voting Options"), which test/mail/compose/verb-stream.test.ts reproduces
 * byte for byte.
 */

const PSETID_COMMON = '{00062008-0000-0000-C000-000000000046}';
/** Graph's id of PidLidVerbStream as a singleValueLegacyExtendedProperty. */
export const VERB_STREAM_PROPERTY_ID = `Binary ${PSETID_COMMON} Id 0x8520`;
/** Graph's id of PidLidVerbResponse: the option a respondent chose with Outlook's buttons. */
export const VERB_RESPONSE_PROPERTY_ID = `String ${PSETID_COMMON} Id 0x8524`;

const VERB_VOTE = 4;
const MESSAGE_CLASS = 'IPM.Note';

function ansi(text: string): Buffer {
  // The VoteOption's DisplayName is an ANSI string; our options are ASCII ("Approve", "Yes").
  if (!/^[\x20-\x7e]{1,255}$/.test(text)) throw new RangeError(`A voting option must be 1-255 printable ASCII characters, got ${JSON.stringify(text)}`);
  return Buffer.from(text, 'latin1');
}

function counted(bytes: Buffer, count = bytes.length): Buffer {
  return Buffer.concat([Buffer.from([count]), bytes]);
}

function dword(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

/** One VoteOption (2.2.1.74.1): verb 4, the name, "IPM.Note", the name again, the option's 1-based id. */
function voteOption(name: string, id: number): Buffer {
  const display = ansi(name);
  return Buffer.concat([
    dword(VERB_VOTE),
    counted(display),
    counted(Buffer.from(MESSAGE_CLASS, 'latin1')),
    Buffer.from([0]), // Internal1StringCount: no string for a voting option
    counted(display),
    dword(0), // Internal2
    Buffer.from([0]), // Internal3
    dword(0), // fUseUSHeaders
    dword(1), // Internal4
    dword(2), // SendBehavior
    dword(2), // Internal5
    dword(id),
    dword(-1), // Internal6
  ]);
}

/** One VoteOptionExtras (2.2.1.74.2): the name twice as UTF-16LE, each after its character count. */
function voteOptionExtras(name: string): Buffer {
  const wide = Buffer.from(name, 'utf16le');
  return Buffer.concat([counted(wide, name.length), counted(wide, name.length)]);
}

/** The PidLidVerbStream bytes for these options, in order. */
export function verbStream(options: readonly string[]): Buffer {
  if (options.length === 0 || options.length > 31) throw new RangeError('A vote needs 1 to 31 options.');
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0x0102, 0);
  header.writeUInt32LE(options.length, 2);
  const version2 = Buffer.alloc(2);
  version2.writeUInt16LE(0x0104, 0);
  return Buffer.concat([header, ...options.map((o, i) => voteOption(o, i + 1)), version2, ...options.map(voteOptionExtras)]);
}

/** The message's extended property that makes Outlook show the voting buttons. */
export function votingButtonsProperty(options: readonly string[]): { id: string; value: string } {
  return { id: VERB_STREAM_PROPERTY_ID, value: verbStream(options).toString('base64') };
}

/**
 * The voting options a PidLidVerbStream offers (verb type 4), in order, or null when the bytes
 * are not a verb stream. Outlook's own streams also carry Reply / Reply All / Forward verbs
 * (other verb types): those are not options. Read so the waiting action knows which answers
 * are votes, whoever wrote the stream.
 */
export function votingOptionsOf(stream: Uint8Array): string[] | null {
  const b = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > b.length) throw new RangeError('truncated verb stream');
  };
  const u8 = () => (need(1), b[at++]);
  const u32 = () => (need(4), (at += 4), b.readUInt32LE(at - 4));
  const counted = () => {
    const n = u8();
    need(n);
    at += n;
    return b.subarray(at - n, at);
  };
  try {
    need(2);
    if (b.readUInt16LE(0) !== 0x0102) return null;
    at = 2;
    const count = u32();
    if (count > 64) return null;
    const options: string[] = [];
    for (let i = 0; i < count; i++) {
      const verb = u32();
      const display = counted().toString('latin1');
      counted(); // message class
      const internal1 = u8(); // Internal1StringCount, then that many bytes
      need(internal1);
      at += internal1;
      counted(); // the display name again
      need(29);
      at += 29; // Internal2 .. Internal6
      if (verb === VERB_VOTE && display.trim() !== '') options.push(display);
    }
    return options;
  } catch {
    return null;
  }
}
