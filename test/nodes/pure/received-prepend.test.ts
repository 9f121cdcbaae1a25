/**
 * `prependReceived` (src/nodes/mail/received.ts) writes the Received field's pieces straight into the
 * new message; the general path formats the value (`formatReceivedValue`) and prepends it
 * (`prependHeader`). They must give the same bytes for any session: names at the edges of what
 * `sanitise` keeps (controls, parentheses, 8-bit, astral, empty, over 255), IPv4 and IPv6 client
 * addresses and odd ones (8-bit, line breaks: the general path), no reverse name, zero, one or more
 * recipients, any time, any message bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prependHeader } from '../../../src/nodes/mail/headers.js';
import { formatReceivedValue, prependReceived, type ReceivedInfo } from '../../../src/nodes/mail/received.js';

const edgyChar = fc.oneof(
  fc.constantFrom('a', 'Z', '.', '-', '!', '~', ' ', '\t', '\r', '\n', '(', ')', '\\', '\x7f', '\x00', 'é', '😀', '\ud800', '?', ':'),
  fc.string({ maxLength: 1 }),
);
const edgyText = fc.oneof(
  fc.array(edgyChar, { maxLength: 20 }).map((chars) => chars.join('')),
  fc.constantFrom('x'.repeat(255), 'x'.repeat(256), '', 'client.example', 'mx1.example.net'),
  fc.string({ maxLength: 40 }),
);
const address = fc.oneof(
  fc.constantFrom('10.0.0.1', '192.0.2.45', '2001:db8::1', '::1', 'fe80::1%eth0', '10.0.0.1\r\n\tX', 'ä', ' ', ''),
  edgyText,
);

const info: fc.Arbitrary<ReceivedInfo> = fc.record({
  heloName: edgyText,
  clientName: fc.option(edgyText),
  clientAddress: address,
  byHost: edgyText,
  protocol: fc.constantFrom('SMTP', 'ESMTP', 'ESMTPA', 'ESMTPS', 'ESMTPSA', 'LMTP'),
  id: fc.oneof(fc.constantFrom('Q000001', '4F2A9C'), edgyText),
  recipients: fc.array(fc.oneof(fc.constantFrom('a@example.org', 'b@example.net'), edgyText), { maxLength: 3 }),
  atMs: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 10 ** 11 })),
});

describe('prependReceived', () => {
  it('equals prependHeader of formatReceivedValue, or throws where it throws', () => {
    fc.assert(
      fc.property(info, fc.uint8Array({ maxLength: 64 }), (received, bytes) => {
        let expected: Uint8Array | Error;
        try {
          expected = prependHeader(bytes, 'Received', formatReceivedValue(received));
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) expect(() => prependReceived(bytes, received)).toThrow(expected.message);
        else expect(Buffer.from(prependReceived(bytes, received)).toString('latin1')).toBe(Buffer.from(expected).toString('latin1'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes the field a bulk commit writes', () => {
    const bytes = new TextEncoder().encode('Subject: hi\r\n\r\nbody\r\n');
    const out = prependReceived(bytes, {
      heloName: 'msa.example',
      clientName: 'msa.example',
      clientAddress: '10.0.0.2',
      byHost: 'mx.example',
      protocol: 'ESMTPS',
      id: 'Q00000A',
      recipients: ['u@example.org'],
      atMs: 1_500,
    });
    expect(new TextDecoder().decode(out)).toBe(
      'Received: from msa.example (msa.example [10.0.0.2])\r\n\tby mx.example with ESMTPS id Q00000A\r\n\tfor <u@example.org>; Thu, 01 Jan 2026 00:00:01 +0000\r\nSubject: hi\r\n\r\nbody\r\n',
    );
  });
});
