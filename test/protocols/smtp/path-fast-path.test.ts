/**
 * MAIL/RCPT paths of the plain form `<local@domain>` are parsed by one regex (src/protocols/smtp/
 * command.ts parsePlainPath) before the general parser. Whenever the fast path answers, its answer
 * must be exactly the general parser's, for any options (null path, Postmaster, SMTPUTF8, RFC 5321
 * §4.1.1.2–3) and any limits (RFC 5321 §4.5.3.1.1–3); when it declines, the general parser decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PathLimits, type PathOptions, parsePath, parsePathGeneral, parsePlainPath } from '../../../src/protocols/smtp/command.js';

/** SMTP_SERVER_LIMITS_DEFAULT's path limits (RFC 5321 §4.5.3.1), or small ones to reach every limit. */
const roomy: PathLimits = { localPartBytesMax: 64, domainBytesMax: 255, pathBytesMax: 256 };
const limits: fc.Arbitrary<PathLimits> = fc.record({
  localPartBytesMax: fc.integer({ min: 1, max: 70 }),
  domainBytesMax: fc.integer({ min: 1, max: 80 }),
  pathBytesMax: fc.integer({ min: 3, max: 140 }),
});
const options: fc.Arbitrary<PathOptions> = fc.record({
  nullAllowed: fc.boolean(),
  postmasterAllowed: fc.boolean(),
  smtpUtf8: fc.boolean(),
  badSyntax: fc.constantFrom('5.1.7' as const, '5.1.3' as const),
});

const chars = (alphabet: string, maxLength: number) => fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(''));
/** Texts near the plain form: every character that matters to either parser, in short runs. */
const atom = chars("aZ09!#'*+/=?^_`{|}~-", 8);
const label = fc.oneof(chars('aZ09-', 6), fc.constantFrom('a'.repeat(63), 'b'.repeat(64), `c${'-'.repeat(61)}d`, 'postmaster'));
const noise = chars('<>"@. \\:,[]\x00\x7f\x80\xe9\xc3\xa9aZ-', 3);
const plainish = fc
  .tuple(
    fc.constantFrom('', '', '', ' ', '  '),
    fc.constantFrom('<', '<', '<', '', '<@r.example:', '<"'),
    fc.array(fc.oneof(atom, atom, noise), { minLength: 0, maxLength: 4 }).map((a) => a.join('.')),
    fc.constantFrom('@', '@', '@', '', '@@', '.@', '@.'),
    fc.array(fc.oneof(label, label, noise), { minLength: 1, maxLength: 5 }).map((a) => a.join('.')),
    fc.constantFrom('>', '>', '>', '', '>>', '> ', '>x', '> SIZE=10', ' >'),
    noise,
  )
  .map((parts) => parts.join(''));
const anyText = chars('<>"@. aZ09-\\\x80', 40);

describe('the plain-path fast path agrees with the general parser', () => {
  it('gives the general answer whenever it answers', () => {
    fc.assert(
      fc.property(fc.oneof(plainish, anyText), fc.oneof(limits, fc.constant(roomy)), options, (text, lim, opt) => {
        const fast = parsePlainPath(text, lim);
        if (fast !== null) expect(fast).toEqual(parsePathGeneral(text, lim, opt));
        expect(parsePath(text, lim, opt)).toEqual(parsePathGeneral(text, lim, opt));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers for ordinary addresses, with and without parameters', () => {
    for (const text of ['<bob@example.org>', '<alice.smith+tag@mail.sender.net> SIZE=1212', "<o'neil@x-y.example>", '<a@b>']) {
      expect(parsePlainPath(text, roomy)).not.toBeNull();
    }
  });

  it('declines whatever only the general parser may judge', () => {
    for (const text of ['<>', '<Postmaster>', ' <bob@example.org>', '<"a b"@example.org>', '<@r.example:bob@example.org>', '<bob@[192.0.2.1]>', '<b\xc3\xa9@example.org>', '<bob@example.org>x', '<bob@-example.org>', '<bob..x@example.org>']) {
      expect(parsePlainPath(text, roomy)).toBeNull();
    }
  });
});
