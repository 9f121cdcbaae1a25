/**
 * SMTP smuggling (docs/delivery.md E4; CVE-2023-51764/5/6): every fake end-of-data sequence, followed by
 * what looks like a second transaction, inside one DATA. The server must yield exactly one message
 * (normalize) or none (reject, when the vector holds a bare LF), never a second one, whole or one
 * byte at a time, and under arbitrary surrounding bytes (property). A message with a NUL octet is
 * refused with 554 5.6.0 by default, or stored without its NULs, or kept (`nulBytes`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EHLO, MAIL, messages, options, RCPT, replay, replayBoth, text } from './server-harness.js';

/** docs/delivery.md E4, verbatim. */
const VECTORS = ['\n.\n', '\r.\r', '\r.\n', '\n.\r', '\n.\r\n', '\r\n.\n', '\r.\r\n', '\r\n.\r', '\r\n\x00.\r\n', '\r\n.\r\r\n'];
const SMUGGLED = 'MAIL FROM:<admin@bank.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nsend money\r\n';

describe('SMTP smuggling vectors (docs/delivery.md E4)', () => {
  for (const vector of VECTORS) {
    it(`${JSON.stringify(vector)} never ends DATA (normalize: one message, smuggled text inside)`, () => {
      // NULs kept, so the NUL vector too shows only how DATA ends (the NUL policy is tested below).
      const run = replayBoth(options({ nulBytes: 'keep' }), [EHLO, MAIL, RCPT, 'DATA\r\n', `Subject: real\r\n\r\nhello${vector}${SMUGGLED}`, '\r\n.\r\n', 'QUIT\r\n']);
      const delivered = messages(run.events);
      expect(delivered).toHaveLength(1);
      expect(text(delivered[0]!.message)).toContain('MAIL FROM:<admin@bank.example>');
      expect(delivered[0]!.envelope.from).toBe('alice@example.net');
      // One 354, one 250 for the dot, then QUIT: no reply for the smuggled commands.
      expect(run.output.match(/^354 /gm)).toHaveLength(1);
      expect(run.output.endsWith('250 2.0.0 OK: message accepted\r\n221 2.0.0 mx.example.org closing connection\r\n')).toBe(true);
    });

    it(`${JSON.stringify(vector)} under 'reject': no message if it holds a bare LF, else one; never two`, () => {
      const run = replayBoth(options({ bareLineFeed: 'reject' }), [EHLO, MAIL, RCPT, 'DATA\r\n', `hello${vector}${SMUGGLED}`, '\r\n.\r\n', 'QUIT\r\n']);
      const bareLf = /(^|[^\r])\n/.test(`hello${vector}`);
      const nul = vector.includes('\x00');
      expect(messages(run.events)).toHaveLength(bareLf || nul ? 0 : 1);
      expect(run.output.match(/^354 /gm)).toHaveLength(1);
      if (bareLf) expect(run.output).toContain('550 5.5.2 ');
      else if (nul) expect(run.output).toContain('554 5.6.0 ');
    });
  }

  it('NUL in DATA (default reject): the message is read to its real end and refused with 554 5.6.0; the session goes on', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'DATA\r\n', 'Subject: x\r\n\r\nbody\r\n\x00.\r\nmore\r\n.\r\n', MAIL, RCPT, 'DATA\r\nclean\r\n.\r\n', 'QUIT\r\n']);
    expect(run.output).toContain('554 5.6.0 Message contains NUL characters; message refused\r\n250 2.1.0 ');
    expect(messages(run.events).map((m) => text(m.message))).toEqual(['clean\r\n']);
    expect(run.events).toContainEqual({ type: 'protocol-error', detail: 'NUL in message data' });
  });

  it("NUL in DATA or BDAT under 'strip' is removed; under 'keep' it passes unchanged", () => {
    const body = 'a\x00b\r\n\x00.\r\n';
    const stripped = replayBoth(options({ nulBytes: 'strip' }), [EHLO, MAIL, RCPT, `DATA\r\n${body}.\r\n`]);
    expect(messages(stripped.events).map((m) => text(m.message))).toEqual(['ab\r\n.\r\n']);
    const chunked = replayBoth(options({ nulBytes: 'strip' }), [EHLO, MAIL, RCPT, `BDAT ${body.length} LAST\r\n${body}`]);
    expect(messages(chunked.events).map((m) => text(m.message))).toEqual(['ab\r\n.\r\n']);
    const refused = replayBoth(options(), [EHLO, MAIL, RCPT, `BDAT ${body.length} LAST\r\n${body}`]);
    expect(refused.output).toMatch(/554 5\.6\.0 .*\r\n$/);
    expect(messages(refused.events)).toHaveLength(0);
    const kept = replayBoth(options({ nulBytes: 'keep' }), [EHLO, MAIL, RCPT, `DATA\r\n${body}.\r\n`]);
    expect(messages(kept.events).map((m) => text(m.message))).toEqual([body]);
  });

  it('normalize stores a bare LF as CRLF; a bare CR stays', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'DATA\r\na\nb\rc\r\n.\r\n']);
    expect(text(messages(run.events)[0]!.message)).toBe('a\r\nb\rc\r\n');
  });

  it('property: any bytes with vectors spliced in, then CRLF.CRLF, give exactly one message per DATA', () => {
    const piece = fc.oneof(
      fc.constantFrom(...VECTORS, '\r\n', '.', '\r\n..\r\n', SMUGGLED, 'QUIT\r\n'),
      fc.uint8Array({ maxLength: 12 }).map((bytes) => String.fromCharCode(...bytes)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), fc.boolean(), fc.constantFrom<'normalize' | 'reject'>('normalize', 'reject'), fc.constantFrom<'reject' | 'strip' | 'keep'>('reject', 'strip', 'keep'), (pieces, byteAtATime, policy, nulBytes) => {
        const body = pieces.join('');
        // Make sure the body itself holds no real end: a real "\r\n.\r\n" inside would end DATA, legitimately.
        fc.pre(!`\r\n${body}`.includes('\r\n.\r\n'));
        const run = replay(options({ bareLineFeed: policy, nulBytes }), [EHLO, MAIL, RCPT, `DATA\r\n${body}`, '\r\n.\r\n'], byteAtATime);
        const count = messages(run.events).length;
        expect(count).toBeLessThanOrEqual(1);
        if (policy === 'normalize' && (nulBytes !== 'reject' || !body.includes('\x00'))) expect(count).toBe(1);
        if (nulBytes !== 'keep') for (const m of messages(run.events)) expect(m.message.includes(0)).toBe(false);
        expect(run.output.match(/^354 /gm)).toHaveLength(1);
        expect(run.server.state).toBe('ready');
      }),
      { numRuns: 400 },
    );
  });
});
