/**
 * The reply parser reads well-formed lines ("250-…", "250 …", "250") without running its regex
 * (src/protocols/smtp/reply-parser.ts readLine). The replies must be
 * exactly what the regex on the whole decoded line gives (RFC 5321 §4.2, RFC 2034 §4), for any bytes
 * after the code — invalid UTF-8, a BOM, CRs, enhanced codes — and for any chunking.
 *
 * A chunk of ASCII bytes that starts a line is decoded once and cut as text (pushAscii). Fed one byte
 * at a time, the same stream goes (but for a line's first byte) through the byte path: both must give
 * the same results, errors and limits included.
 *
 * The enhanced status code of a reply (RFC 2034 §4) is read by hand; it must be what the regex
 * /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/ on the first line's text gives when its class is the reply's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SmtpReplyParser, type SmtpReplyParseResult } from '../../../src/protocols/smtp/reply-parser.js';

/** The reference: one whole-line decode and the regex, as the parser did before the fast path. */
function referenceLine(bytes: Uint8Array): { code: number; final: boolean; text: string } | null {
  const match = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s.exec(new TextDecoder('utf-8').decode(bytes));
  return match === null ? null : { code: Number(match[1]), final: match[2] !== '-', text: match[3] ?? '' };
}

const tail = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xef, 0xbb, 0xbf, 0x0d, 0x20, 0x2e, 0x32, 0x34, 0x35)), { maxLength: 30 });
const lineBytes = fc
  .tuple(
    fc.constantFrom('250', '451', '550', '354', '199', '600', '25', '2x0', '\ufeff250'),
    fc.constantFrom('', ' ', '-', 'x', ' 2.1.0 ', '-2.1.0 ', ' 4.4.1 '),
    tail,
  )
  .map(([code, sep, rest]) => Uint8Array.from([...new TextEncoder().encode(code + sep), ...rest].filter((b) => b !== 0x0a)));

function feed(lines: Uint8Array[], cut: number, parser = new SmtpReplyParser()): SmtpReplyParseResult[] {
  return feedTagged(lines, cut, parser).map(({ result }) => result);
}

/** Each result with the stream offset where the push that returned it ended. */
function feedTagged(lines: Uint8Array[], cut: number, parser: SmtpReplyParser): Array<{ result: SmtpReplyParseResult; end: number }> {
  const stream = Uint8Array.from(lines.flatMap((l) => [...l, 0x0d, 0x0a]));
  const out: Array<{ result: SmtpReplyParseResult; end: number }> = [];
  for (let at = 0; at < stream.length; at += cut) {
    const end = Math.min(at + cut, stream.length);
    for (const result of parser.push(stream.subarray(at, end))) out.push({ result, end });
  }
  return out;
}

describe('SMTP reply parser fast path', () => {
  it('gives the same replies as the whole-line regex, in any chunking', () => {
    fc.assert(
      fc.property(fc.array(lineBytes, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 64 }), (lines, cut) => {
        const got = feed(lines, cut);
        // Oracle: the code and text of each line the reference accepts, until the first it rejects.
        const whole = feed(lines, 1_000_000);
        expect(got).toEqual(whole);
        const accepted: Array<{ code: number; final: boolean; text: string }> = [];
        for (const line of lines) {
          const parsed = referenceLine(line); // the parser strips only the CR of the CRLF the feed adds
          if (parsed === null) {
            expect(got.at(-1)?.kind).toBe('error');
            return;
          }
          accepted.push(parsed);
          if (accepted[0]!.code !== parsed.code) return; // mixed codes: an error, checked elsewhere
          if (parsed.final) {
            const result = got.shift();
            expect(result?.kind).toBe('reply');
            if (result?.kind === 'reply') {
              expect(result.reply.code).toBe(parsed.code);
              // Without an enhanced code the texts are the lines' texts as they are.
              if (result.reply.enhanced === null) expect(result.reply.lines).toEqual(accepted.map((l) => l.text));
            }
            accepted.length = 0;
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps a BOM after the code as text, and strips a CR only before the LF', () => {
    const parser = new SmtpReplyParser();
    const results = parser.push(Uint8Array.from([0x32, 0x35, 0x30, 0x20, 0xef, 0xbb, 0xbf, 0x68, 0x69, 0x0d, 0x0d, 0x0a]));
    expect(results).toEqual([{ kind: 'reply', reply: { code: 250, enhanced: null, lines: ['\ufeffhi\r'] } }]);
  });

  it('reads ASCII chunks as the byte path does, limits and errors included', () => {
    const asciiLine = fc
      .tuple(
        fc.constantFrom('250', '250', '451', '354', '199', '25', ''),
        fc.constantFrom('', ' ', '-', '-', 'x', ' 2.1.0 ', '-5.1.1 ', ' 4.4.1', '2.0.0'),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('', '\r', '\r\n', '\n', '\n250 x\r', '\n\n'),
      )
      .map(([code, sep, text, end]) => new TextEncoder().encode(code + sep + text + end));
    fc.assert(
      fc.property(
        fc.array(asciiLine, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 8, max: 64 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 100 }),
        (lines, replyLineBytesMax, replyLinesMax, cut) => {
          const limits = { replyLineBytesMax, replyLinesMax };
          const byteByByte = feedTagged(lines, 1, new SmtpReplyParser(limits));
          expect(feed(lines, 1_000_000, new SmtpReplyParser(limits))).toEqual(byteByByte.map(({ result }) => result));
          // Chunks that end inside a line: the open tail of an ASCII chunk, then the byte path. Each
          // result comes from the push holding the byte that decided it (an over-long open line too).
          const chunked = feedTagged(lines, cut, new SmtpReplyParser(limits));
          expect(chunked.map(({ result }) => result)).toEqual(byteByByte.map(({ result }) => result));
          chunked.forEach(({ end }, index) => {
            const decidedAt = byteByByte[index]!.end;
            expect(decidedAt <= end && decidedAt > end - cut).toBe(true);
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps an open ASCII tail as a copy, not a view of the caller\'s buffer', () => {
    const parser = new SmtpReplyParser();
    const chunk = Buffer.from('250-first\r\n250 sec', 'latin1');
    expect(parser.push(chunk)).toEqual([]);
    chunk.fill(0x78); // the caller reuses its buffer
    expect(parser.push(Buffer.from('ond\r\n', 'latin1'))).toEqual([{ kind: 'reply', reply: { code: 250, enhanced: null, lines: ['first', 'second'] } }]);
  });

  it('reads the enhanced status code as the regex does', () => {
    const enhancedRegex = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;
    const digits = fc.stringMatching(/^\d{0,4}$/);
    const anyOf = (chars: string) => fc.constantFrom(...chars.split(''));
    // Mostly near-misses of "c.s.d " (a part too long or empty, a wrong separator), some noise.
    const firstText = fc.oneof(
      fc.tuple(anyOf('24535'), anyOf('..-'), digits, anyOf('..x'), digits, fc.constantFrom('', ' ', ' ok', 'x', '.', '0', '\r')).map((parts) => parts.join('')),
      fc.array(anyOf('2453019. x-\r'), { maxLength: 12 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(fc.constantFrom(250, 251, 354, 421, 450, 550, 554), firstText, fc.constantFrom('', 'more'), (code, text, second) => {
        const match = enhancedRegex.exec(text);
        const expected = match !== null && match[1] === String(Math.floor(code / 100)) ? `${match[1]}.${match[2]}.${match[3]}` : null;
        const wire = second === '' ? `${code} ${text}\r\n` : `${code}-${text}\r\n${code} ${second}\r\n`;
        const [result] = new SmtpReplyParser().push(new TextEncoder().encode(wire));
        expect(result?.kind === 'reply' ? result.reply.enhanced : 'error').toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('SMTP reply parser, kept multi-line replies', () => {
  const multiLine = fc
    .tuple(fc.constantFrom(250, 451, 550), fc.array(fc.stringMatching(/^[ -~]{0,20}$/), { minLength: 2, maxLength: 6 }))
    .map(([code, texts]) => new TextEncoder().encode(texts.map((text, index) => `${code}${index === texts.length - 1 ? ' ' : '-'}${text}\r\n`).join('')));

  it('a chunk seen before gives what a parser that keeps nothing gives, however often it comes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 30 }), fc.array(multiLine, { minLength: 12, maxLength: 12 }), (picks, chunks) => {
        const parser = new SmtpReplyParser();
        for (const pick of picks) {
          // Non-default limits (equal values) keep nothing: the general path.
          const reference = new SmtpReplyParser({ replyLinesMax: 100 }).push(chunks[pick]!);
          expect(parser.push(chunks[pick]!)).toEqual(reference);
        }
      }),
    );
  });

  it('a kept reply is not given to a parser with other limits, nor in the middle of a reply', () => {
    const chunk = new TextEncoder().encode('250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
    expect(new SmtpReplyParser().push(chunk)).toEqual([{ kind: 'reply', reply: { code: 250, enhanced: null, lines: ['mx.example', 'PIPELINING', '8BITMIME'] } }]);
    expect(new SmtpReplyParser().push(chunk)[0]?.kind).toBe('reply');
    expect(new SmtpReplyParser({ replyLinesMax: 2 }).push(chunk)[0]?.kind).toBe('error');
    const midReply = new SmtpReplyParser();
    expect(midReply.push(new TextEncoder().encode('250-first\r\n'))).toEqual([]);
    expect(midReply.push(chunk)).toEqual([{ kind: 'reply', reply: { code: 250, enhanced: null, lines: ['first', 'mx.example', 'PIPELINING', '8BITMIME'] } }]);
  });
});
