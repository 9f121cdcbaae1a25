/**
 * The ESMTP parameters of MAIL FROM and RCPT TO (RFC 5321 §4.1.2 esmtp-param) are read without a
 * split and a Map when their syntax is plainly right (src/protocols/smtp/command.ts
 * readParametersFast). Whatever the line — known and unknown keys in any case, duplicates, bad keys
 * and values, empty tokens, non-ASCII — and whatever the session negotiated, parseMail and parseRcpt
 * must give exactly what they give with the general reader (syntax errors and duplicates first, then
 * each parameter read in order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParameterContext, parseMail, parseRcpt, readParametersFast, readParametersGeneral } from '../../../src/protocols/smtp/command.js';

const limits = { localPartBytesMax: 64, domainBytesMax: 255, pathBytesMax: 256 };

const key = fc.oneof(
  fc.constantFrom('SIZE', 'size', 'Body', 'BODY', 'SMTPUTF8', 'RET', 'ENVID', 'AUTH', 'REQUIRETLS', 'NOTIFY', 'ORCPT', 'X-FOO', 'XX'),
  fc.constantFrom('', '-A', 'A_B', 'SIZ\xdf', 'S\xb5', '\xff', 'SI ZE', 'é'),
);
const value = fc.oneof(
  fc.constantFrom('1000', '0', '-1', '99999999999999999999', '8BITMIME', '7BIT', 'binary', 'FULL', 'HDRS', 'SUCCESS,FAILURE', 'NEVER', 'rfc822;a@b.example', '<>', 'x+2Bid'),
  fc.constantFrom('', 'a=b', '\x7f', '\xe9', 'tab\there', '"q"'),
);
const token = fc.oneof(key, fc.tuple(key, value).map(([k, v]) => `${k}=${v}`), fc.constant(''));
const rest = fc.array(token, { maxLength: 10 }).map((tokens) => (tokens.length === 0 ? '' : ` ${tokens.join(' ')}`));

const context: fc.Arbitrary<ParameterContext & { transactionUtf8: boolean }> = fc.record({
  extended: fc.boolean(),
  tls: fc.boolean(),
  transactionUtf8: fc.boolean(),
  extensions: fc.record({
    pipelining: fc.boolean(),
    size: fc.boolean(),
    eightBitMime: fc.boolean(),
    smtpUtf8: fc.boolean(),
    enhancedStatusCodes: fc.boolean(),
    dsn: fc.boolean(),
    startTls: fc.boolean(),
    auth: fc.constantFrom([], ['PLAIN' as const], ['PLAIN' as const, 'LOGIN' as const]),
    chunking: fc.boolean(),
    requireTls: fc.boolean(),
  }),
});

describe('SMTP MAIL/RCPT parameters fast path', () => {
  it('MAIL FROM: the same command or failure as the general reader', () => {
    fc.assert(
      fc.property(rest, context, (params, ctx) => {
        const argument = `FROM:<a@b.example>${params}`;
        expect(parseMail(argument, limits, ctx, readParametersFast)).toEqual(parseMail(argument, limits, ctx, readParametersGeneral));
      }),
      { numRuns: 4000 },
    );
  });

  it('RCPT TO: the same command or failure as the general reader', () => {
    fc.assert(
      fc.property(rest, context, (params, ctx) => {
        const argument = `TO:<c@d.example>${params}`;
        expect(parseRcpt(argument, limits, ctx, readParametersFast)).toEqual(parseRcpt(argument, limits, ctx, readParametersGeneral));
      }),
      { numRuns: 4000 },
    );
  });

  it('reads the usual parameters without the general reader', () => {
    const ctx = { extended: true, tls: true, transactionUtf8: false, extensions: { pipelining: true, size: true, eightBitMime: true, smtpUtf8: true, enhancedStatusCodes: true, dsn: true, startTls: true, auth: [], chunking: false, requireTls: false } };
    expect(parseMail('FROM:<a@b.example> SIZE=1200 BODY=8BITMIME', limits, ctx)).toMatchObject({ ok: true, declaredSize: 1200, body: '8BITMIME' });
    expect(parseMail('FROM:<a@b.example> SIZE=1 size=2', limits, ctx)).toMatchObject({ ok: false, reply: { code: 501, lines: ['Duplicate parameter SIZE'] } });
  });
});
