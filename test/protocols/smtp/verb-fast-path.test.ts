/**
 * A command line's verb is read by comparing its letters with the common verbs (src/protocols/smtp/
 * command-verb.ts) before the general way (slice, upper-case; verbs are case-insensitive, RFC 5321
 * §2.4). For any line — verbs in any case, near misses, Latin-1 characters whose upper case is an
 * ASCII letter ("ÿ", "µ", "ß"), no space or several — `splitCommand` must give exactly what
 * `splitCommandGeneral` gives, and the verb it returns for a common verb is the shared constant.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knownVerb } from '../../../src/protocols/smtp/command-verb.js';
import { splitCommand, splitCommandGeneral } from '../../../src/protocols/smtp/command.js';
import { SMTP_VERBS } from '../../../src/protocols/smtp/server-states.js';

/** A verb with each letter in a random case, maybe one letter changed, cut or lengthened. */
const casedVerb = fc
  .tuple(fc.constantFrom(...SMTP_VERBS, 'XCLIENT', 'MAI', 'MAILS', 'STARTTL'), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }))
  .map(([verb, lower]) => [...verb].map((char, index) => (lower[index] ? char.toLowerCase() : char)).join(''));
const oddChar = fc.constantFrom('ſ', 'ı', 'ÿ', 'µ', 'ß', '@', '`', '[', '{', '\x00', ' ', ':', 'é', 'A', 'a');
const nearVerb = fc
  .tuple(casedVerb, fc.nat(9), oddChar, fc.constantFrom('replace', 'insert', 'keep'))
  .map(([verb, at, char, how]) => (how === 'keep' ? verb : verb.slice(0, at) + char + verb.slice(at + (how === 'replace' ? 1 : 0))));
const argument = fc.constantFrom('', ' ', ' FROM:<a@b.example> SIZE=10', ' TO:<x@y>', ' mx.example', '  two spaces', ' PLAIN AGF1c2VyAHB3', ':<a@b>');
const line = fc.oneof(fc.tuple(nearVerb, argument).map(([verb, rest]) => verb + rest), fc.string({ maxLength: 12 }));

describe('the verb fast path agrees with the general way', () => {
  it('splits every line as splitCommandGeneral does', () => {
    fc.assert(
      fc.property(line, (text) => {
        expect(splitCommand(text)).toEqual(splitCommandGeneral(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('answers for the common verbs in any case, and only with the verb the general way gives', () => {
    fc.assert(
      fc.property(nearVerb, (verb) => {
        const known = knownVerb(verb, verb.length);
        if (known !== null) expect(known).toBe(verb.toUpperCase());
        if ((SMTP_VERBS as readonly string[]).includes(verb.toUpperCase()) && /^[A-Za-z]+$/.test(verb)) expect(known).toBe(verb.toUpperCase());
      }),
      { numRuns: 5000 },
    );
    expect(splitCommand('mAiL FROM:<a@b>')).toEqual({ verb: 'MAIL', argument: 'FROM:<a@b>' });
    expect(splitCommand('Rſet').verb).toBe('RSET'); // Unicode casing: the general way's answer
    expect(splitCommand('quit')).toEqual({ verb: 'QUIT', argument: '' });
  });
});
