/**
 * Replies formatted once (src/protocols/smtp/reply.ts `preformattedReply`) and the EHLO answer kept
 * per server setup and standing (commands/hello.ts `ehloReply`), against the general paths:
 *   - the wire text of a preformatted reply must be what the general formatter gives a copy of it
 *     (a reply it has never seen), with and without enhanced codes, for any reply;
 *   - `ehloReply`, asked in any order for any mix of setups, TLS, AUTH standing, size limit and first
 *     line, must give what building the reply anew gives (keywords from extensions/ for that
 *     standing), never a kept answer of another standing or client name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ehloReply } from '../../../src/protocols/smtp/commands/hello.js';
import type { SmtpContext } from '../../../src/protocols/smtp/commands/context.js';
import { ehloKeywords } from '../../../src/protocols/smtp/extensions/index.js';
import { formatReplyText, preformattedReply, smtpReply } from '../../../src/protocols/smtp/reply.js';
import type { SmtpServerExtensions } from '../../../src/protocols/smtp/server-api.js';
import type { SmtpReply } from '../../../src/protocols/smtp/types.js';

const lineText = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', ' ', 'ok ', '2.1.0 Ok', 'PIPELINING'));
const reply = fc.record({
  code: fc.constantFrom(220, 221, 235, 250, 334, 354, 450, 550),
  enhanced: fc.constantFrom(null, '2.0.0', '4.2.0', '5.7.1'),
  lines: fc.array(lineText, { minLength: 1, maxLength: 4 }),
  asWritten: fc.boolean(),
});

function extensions(auth: boolean, startTls: boolean): SmtpServerExtensions {
  return { pipelining: true, size: true, eightBitMime: true, smtpUtf8: true, enhancedStatusCodes: true, dsn: true, startTls, auth: auth ? ['PLAIN', 'LOGIN'] : [], chunking: true, requireTls: true };
}

describe('preformatted replies', () => {
  it('a preformatted reply is sent as the general formatter writes a copy of it', () => {
    fc.assert(
      fc.property(reply, fc.boolean(), ({ code, enhanced, lines, asWritten }, withEnhanced) => {
        const fields: SmtpReply = asWritten ? { code, enhanced, lines, enhancedAsWritten: true } : { code, enhanced, lines };
        const kept = preformattedReply({ ...fields, lines: [...lines] });
        expect(formatReplyText(kept, withEnhanced)).toBe(formatReplyText({ ...fields, lines: [...lines] }, withEnhanced));
      }),
    );
  });

  it('the kept EHLO answer is the one built anew, for any sequence of sessions', () => {
    const setups = [extensions(true, true), extensions(false, true), extensions(true, false)];
    const ask = fc.record({
      setup: fc.integer({ min: 0, max: setups.length - 1 }),
      tls: fc.boolean(),
      authRequiresTls: fc.boolean(),
      messageBytesMax: fc.constantFrom(10_240_000, 1_000),
      first: fc.constantFrom('mx greets a', 'mx greets b', 'hello'),
    });
    fc.assert(
      fc.property(fc.array(ask, { minLength: 1, maxLength: 12 }), (asks) => {
        for (const { setup, tls, authRequiresTls, messageBytesMax, first } of asks) {
          const context = { extensions: setups[setup]!, tls, limits: { messageBytesMax }, options: { authRequiresTls } } as unknown as SmtpContext;
          const authOffered = setups[setup]!.auth.length > 0 && (tls || !authRequiresTls);
          const expected = smtpReply(250, null, first, ...ehloKeywords({ extensions: setups[setup]!, tls, messageBytesMax, authOffered }));
          const got = ehloReply(context, first);
          expect(got).toEqual(expected);
          expect(formatReplyText(got, false)).toBe(formatReplyText(expected, false));
        }
      }),
    );
  });
});
