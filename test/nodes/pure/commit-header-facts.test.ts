/**
 * The SMTP commit reads the header block once (`commitHeaderFacts`, src/nodes/mail/headers.ts) where
 * it used to ask getHeader, addMissingMessageIdAndDate and hopCount each in a scan of its own. On
 * header blocks built from the awkward cases (folds, bare LF, a leading continuation line, lines that
 * are no field, no body separator, more fields than `headerFieldsMax`), its answers are those of the
 * general path: the Message-ID value, the MSA's fix-up bytes, and the hop count of the bytes the
 * commit enqueues (Received prepended, Message-ID/Date appended or not).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMissingMessageIdAndDate, commitHeaderFacts, getHeader, headerFieldsMax, hopCount, prependHeader } from '../../../src/nodes/mail/headers.js';

const bytesOf = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

const names = ['Received', 'received', 'RECEIVED', 'Message-ID', 'message-id', 'Date', 'DATE', 'Subject', 'Bad Name', '', 'Receive', 'X-Date'];
const line = fc.oneof(
  fc.record({ name: fc.constantFrom(...names), value: fc.string({ maxLength: 12 }), fold: fc.boolean(), bareLf: fc.boolean() }).map(
    ({ name, value, fold, bareLf }) => `${name}:${value.replace(/[\r\n]/g, '')}${fold ? '\r\n\tReceived: folded' : ''}${bareLf ? '\n' : '\r\n'}`,
  ),
  fc.constantFrom('no colon here\r\n', ': empty name\r\n', '\tcontinuation\r\n', ' Received: not a field\r\n', 'Caf\xe9: 8-bit\r\n', 'Received: unterminated'),
);
const message = fc
  .record({ lines: fc.array(line, { maxLength: 10 }), body: fc.constantFrom('', '\r\nbody\r\nReceived: in the body\r\n', '\n\nbody', '\r\n') })
  .map(({ lines, body }) => bytesOf(lines.join('') + body));

const supply = { messageId: '<supplied@host>', date: 'Thu, 1 Jan 2026 00:00:00 +0000' };

/** The general path, as the commit took it before: three scans. */
function generalPath(bytes: Uint8Array, msa: boolean): { messageId: string | null; enqueued: Uint8Array; hops: number } {
  const messageId = getHeader(bytes, 'Message-ID');
  let fixed = bytes;
  if (msa || messageId === null) fixed = addMissingMessageIdAndDate(fixed, supply).bytes;
  const enqueued = prependHeader(fixed, 'Received', 'from a by b; Thu, 1 Jan 2026 00:00:00 +0000');
  return { messageId, enqueued, hops: hopCount(enqueued) };
}

function fastPath(bytes: Uint8Array, msa: boolean): { messageId: string | null; enqueued: Uint8Array; hops: number } {
  const facts = commitHeaderFacts(bytes);
  let fixed = bytes;
  if (msa || facts.messageId === null) fixed = addMissingMessageIdAndDate(fixed, supply, facts).bytes;
  const enqueued = prependHeader(fixed, 'Received', 'from a by b; Thu, 1 Jan 2026 00:00:00 +0000');
  return { messageId: facts.messageId, enqueued, hops: facts.hopsWithReceived };
}

describe('commitHeaderFacts', () => {
  it('answers as getHeader, addMissingMessageIdAndDate and hopCount of the enqueued bytes do', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (bytes, msa) => {
        expect(fastPath(bytes, msa)).toEqual(generalPath(bytes, msa));
      }),
      { numRuns: 1000 },
    );
  });

  it('counts as the general path around the field cap (headerFieldsMax)', () => {
    for (const fields of [headerFieldsMax - 2, headerFieldsMax - 1, headerFieldsMax, headerFieldsMax + 1]) {
      for (const last of ['Received: x\r\n', 'Message-ID: <late@x>\r\n', 'Date: late\r\n']) {
        const bytes = bytesOf(`${'Received: r\r\n'.repeat(fields - 1)}${last}\r\nbody`);
        for (const msa of [false, true]) expect(fastPath(bytes, msa)).toEqual(generalPath(bytes, msa));
      }
    }
  });
});
