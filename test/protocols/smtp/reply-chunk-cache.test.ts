/**
 * The reply parser keeps chunks it read from an empty parser (src/protocols/smtp/reply-chunk-cache.ts)
 * and gives their results again when the same bytes come back. That must never change what a stream
 * parses to: every push must give what a parser that keeps nothing gives (non-default limits of equal
 * value take the general path), whatever the chunks — one-line, multi-line and pipelined replies,
 * open lines, open replies, errors, non-ASCII — and however the kept slots are replaced.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ReplyChunkCache } from '../../../src/protocols/smtp/reply-chunk-cache.js';
import { forgetKeptReplyChunks, SmtpReplyParser } from '../../../src/protocols/smtp/reply-parser.js';

const encode = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

const code = fc.constantFrom('250', '220', '354', '451', '550', '25', '199');
const text = fc.oneof(fc.stringMatching(/^[ -~]{0,16}$/), fc.constantFrom('2.1.0 Ok', '4.7.0 try later', 'é', ''));
/** A reply's lines: the last with " " (or none: open), the others with "-". */
const reply = fc.tuple(code, fc.array(text, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([c, texts, ended]) =>
  texts.map((t, index) => (index === texts.length - 1 && ended ? `${c} ${t}\r\n` : `${c}-${t}\r\n`)).join(''),
);
/** A chunk: some replies, sometimes an open line after them, sometimes a bare LF or garbage. */
const chunk = fc
  .tuple(fc.array(reply, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '', '250 par', '\n', 'xyz\r\n'))
  .map(([replies, tail]) => encode(replies.join('') + tail));

beforeEach(() => forgetKeptReplyChunks());

describe('SMTP reply parser, kept chunks', () => {
  it('every push gives what a parser that keeps nothing gives', () => {
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 40 }), fc.array(fc.nat({ max: 39 }), { minLength: 1, maxLength: 60 }), (pool, picks) => {
        let kept = new SmtpReplyParser();
        let reference = new SmtpReplyParser({ replyLinesMax: 100 });
        for (const pick of picks) {
          const bytes = pool[pick % pool.length]!;
          expect(kept.push(bytes)).toEqual(reference.push(bytes));
          expect(kept.bufferedBytes).toBe(reference.bufferedBytes);
          if (kept.hasFailed) {
            expect(reference.hasFailed).toBe(true);
            kept = new SmtpReplyParser();
            reference = new SmtpReplyParser({ replyLinesMax: 100 });
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a kept chunk is used again: the same reply objects, frozen results', () => {
    const bytes = encode('250 2.1.0 Sender <a@b.example> OK\r\n250 2.1.5 Recipient <c@d.example> OK\r\n354 End data\r\n');
    const first = new SmtpReplyParser().push(bytes);
    const again = new SmtpReplyParser().push(Uint8Array.from(bytes));
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(again.map((r) => (r.kind === 'reply' ? r.reply.code : 0))).toEqual([250, 250, 354]);
  });

  it('a chunk that leaves a line or a reply open is not kept', () => {
    const open = encode('250-first\r\n');
    const parser = new SmtpReplyParser();
    expect(parser.push(open)).toEqual([]);
    // Were it kept, a fresh parser would get [] and then miss the reply's first line.
    const fresh = new SmtpReplyParser();
    expect(fresh.push(open)).toEqual([]);
    expect(fresh.push(encode('250 second\r\n'))).toEqual([{ kind: 'reply', reply: { code: 250, enhanced: null, lines: ['first', 'second'] } }]);
  });
});

describe('ReplyChunkCache', () => {
  it('gives, for any bytes, the results kept for exactly those bytes or nothing', () => {
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 6, max: 3 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.tuple(fc.boolean(), bytes), { maxLength: 80 }), (capacity, steps) => {
        const cache = new ReplyChunkCache<string>(capacity);
        const model = new Map<string, readonly string[]>();
        for (const [keep, key] of steps) {
          const name = Buffer.from(key).toString('hex');
          const got = cache.get(key);
          if (got !== null) expect(got).toBe(model.get(name));
          if (keep && got === null) {
            const results = [name];
            cache.keep(key, results);
            model.set(name, results);
            expect(cache.get(Uint8Array.from(key))).toBe(results);
          }
        }
      }),
    );
  });

  it('keeps a chunk that is used while one-off chunks come and go (second chance)', () => {
    const cache = new ReplyChunkCache<string>(4);
    const recurring = encode('221 2.0.0 Bye\r\n');
    cache.keep(recurring, ['bye']);
    for (let id = 0; id < 50; id++) {
      expect(cache.get(recurring)).toEqual(['bye']);
      cache.keep(encode(`250 2.0.0 queued as ${id}\r\n`), [String(id)]);
    }
    expect(cache.get(recurring)).toEqual(['bye']);
  });
});
