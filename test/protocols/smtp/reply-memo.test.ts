/**
 * Replies kept by their variable part (src/protocols/smtp/reply-memo.ts: the default 220 greeting,
 * MAIL's and RCPT's 250, QUIT's 221) and formatted when first sent (reply.ts `keptReply`) must be
 * exactly what building the reply anew gives — its fields, and its wire form with and without
 * enhanced codes, asked in any order — for any sequence of parts, across the memo forgetting them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReplyText, smtpReply } from '../../../src/protocols/smtp/reply.js';
import { ReplyMemo } from '../../../src/protocols/smtp/reply-memo.js';

const part = fc.oneof(fc.constantFrom('a@b.example', 'b@a.example', 'mx.example', '', ' ', 'x '), fc.string({ maxLength: 8 }));

describe('ReplyMemo', () => {
  it('gives what building the reply anew gives, fields and wire forms', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([250, '2.1.0'] as const, [221, '2.0.0'] as const, [220, null] as const),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(part, fc.boolean()), { minLength: 1, maxLength: 40 }),
        ([code, enhanced], capacity, asks) => {
          const text = (p: string) => `Sender <${p}> OK`;
          const memo = new ReplyMemo(code, enhanced, text, capacity);
          for (const [p, withEnhanced] of asks) {
            const kept = memo.reply(p);
            const fresh = smtpReply(code, enhanced, text(p));
            expect(kept).toEqual(fresh);
            expect(formatReplyText(kept, withEnhanced)).toBe(formatReplyText(fresh, withEnhanced));
            expect(formatReplyText(kept, !withEnhanced)).toBe(formatReplyText(fresh, !withEnhanced));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same reply object for a part asked again', () => {
    const memo = new ReplyMemo(250, '2.1.5', (to) => `Recipient <${to}> OK`);
    expect(memo.reply('c@d.example')).toBe(memo.reply('c@d.example'));
    expect(memo.reply('c@d.example')).not.toBe(memo.reply('e@f.example'));
  });
});
