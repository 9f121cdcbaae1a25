/**
 * The SMTP server keeps its replies as text and encodes the replies of one step together (issue 21:
 * pipelined replies in one write, RFC 2920 §3.1, each burst encoded once). The property compares that
 * fast path with the general one — the same script fed one byte at a time, where a step yields at most
 * one reply: a pipelined burst comes out as at most one array per `takeOutput`, and the bytes are the
 * same as the general path's, held replies (the error delay) included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SmtpServer } from '../../../src/protocols/smtp/server.js';
import { b64, EHLO, latin1, MAIL, options, RCPT, replay } from './server-harness.js';

const line = fc.oneof(
  fc.constantFrom(EHLO, 'HELO c\r\n', MAIL, RCPT, 'RCPT TO:<ü@example.org>\r\n', 'DATA\r\n', 'RSET\r\n', 'NOOP\r\n', 'VRFY x\r\n', 'XYZ\r\n', 'MAIL FROM:<bad\r\n'),
  fc.constantFrom('Subject: é\r\n', '.\r\n', `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`, 'BDAT 3 LAST\r\nabc', 'QUIT\r\n'),
);

describe('SMTP server: a burst of replies is encoded once', () => {
  it('gives at most one array per take, with the bytes one reply per step gives', () => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), fc.boolean(), (groups, slow) => {
        // A low soft error limit makes held replies (OutputHold) part of the property.
        const opts = options({ limits: slow ? { softErrorsMax: 1, errorDelayMs: 100 } : {} });
        // Each group is sent at once, then the clock moves far enough to release a held reply.
        const steps = groups.flatMap((group, index) => [group.join(''), { atMs: (index + 1) * 1_000_000 }]);
        const server = new SmtpServer(opts);
        const bursts: Uint8Array[] = [];
        const drain = () => {
          const taken = server.takeOutput();
          expect(taken.length).toBeLessThanOrEqual(1);
          bursts.push(...taken);
          server.takeEvents();
        };
        let nowMs = 1000;
        server.start(nowMs);
        drain();
        for (const step of steps) {
          if (typeof step === 'string') server.receive(latin1(step), nowMs);
          else {
            nowMs = step.atMs;
            server.onTimeout(nowMs);
          }
          drain();
        }
        const fast = bursts.map((b) => Buffer.from(b).toString('latin1')).join('');
        const general = replay(opts, steps, true).output;
        expect(fast).toBe(general);
      }),
    );
  });
});
