/** Classifying SMTP results into recipient fates and RFC 3463 statuses (docs/delivery.md R1–R6, D7). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyConnectionFailure,
  classifyReplyCode,
  recipientFates,
  replyLine,
  statusForConnectionFailure,
  statusForReply,
} from '../../../src/nodes/mta/outcome.js';
import type { SmtpReply } from '../../../src/protocols/smtp/types.js';

const reply = (code: number, enhanced: string | null, text = 'text'): SmtpReply => ({ code, enhanced, lines: [text] });

describe('reply classification (R2)', () => {
  it('R2: 2xx/3xx accepted, 4xx deferred, 5xx failed', () => {
    expect(classifyReplyCode(250)).toBe('accepted');
    expect(classifyReplyCode(354)).toBe('accepted');
    expect(classifyReplyCode(421)).toBe('deferred');
    expect(classifyReplyCode(450)).toBe('deferred');
    expect(classifyReplyCode(550)).toBe('failed');
    expect(classifyReplyCode(554)).toBe('failed');
    // A nonsense code from a broken server must not lose mail: retry.
    expect(classifyReplyCode(999)).toBe('deferred');
    expect(classifyReplyCode(100)).toBe('deferred');
  });

  it('R2/R3/R6: every connection-level failure defers, with 4.4.1 (no answer) or 4.4.2 (bad connection)', () => {
    for (const failure of ['timeout', 'refused', 'dropped', 'unknown-after-dot', 'tls-failed'] as const) {
      expect(classifyConnectionFailure(failure)).toBe('deferred');
    }
    expect(statusForConnectionFailure('timeout')).toBe('4.4.1');
    expect(statusForConnectionFailure('refused')).toBe('4.4.1');
    expect(statusForConnectionFailure('dropped')).toBe('4.4.2');
    expect(statusForConnectionFailure('unknown-after-dot')).toBe('4.4.2');
  });

  it('D7: the enhanced code keeps its subject/detail but takes the class of the reply', () => {
    expect(statusForReply(reply(550, '5.1.1'))).toBe('5.1.1');
    expect(statusForReply(reply(550, '4.1.1'))).toBe('5.1.1');
    expect(statusForReply(reply(450, null))).toBe('4.0.0');
    expect(statusForReply(reply(554, 'garbage'))).toBe('5.0.0');
    expect(statusForReply(reply(550, '5.01.010'))).toBe('5.1.10');
  });

  it('D7 property: the status class always equals the reply class', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 599 }),
        fc.option(fc.tuple(fc.constantFrom('2', '4', '5'), fc.nat(999), fc.nat(999)).map(([c, s, d]) => `${c}.${s}.${d}`)),
        (code, enhanced) => {
          const status = statusForReply({ code, enhanced });
          const replyClass = Math.floor(code / 100);
          const expectedClass = replyClass === 3 ? '4' : String(replyClass);
          return status.startsWith(`${expectedClass}.`) && /^[245]\.\d{1,3}\.\d{1,3}$/.test(status);
        },
      ),
    );
  });

  it('replyLine renders a multi-line reply on one line with its enhanced code', () => {
    expect(replyLine({ code: 550, enhanced: '5.1.1', lines: ['5.1.1 <bob@example.org>: user', 'unknown'] })).toBe(
      '550 5.1.1 <bob@example.org>: user unknown',
    );
    expect(replyLine({ code: 451, enhanced: '4.3.0', lines: ['try later\r\n'] })).toBe('451 4.3.0 try later');
  });
});

describe('per-recipient fates of a transaction (R5)', () => {
  const ok = reply(250, '2.1.5', 'ok');

  it('R5: 5xx to RCPT fails that recipient only; the others share the final reply', () => {
    const fates = recipientFates({
      rcptReplies: [ok, reply(550, '5.1.1', 'user unknown'), ok],
      end: { kind: 'reply', stage: 'dot', reply: reply(250, '2.0.0', 'queued') },
    });
    expect(fates.map((f) => f.fate)).toEqual(['accepted', 'failed', 'accepted']);
    expect(fates[1]).toMatchObject({ status: '5.1.1', stage: 'rcpt' });
  });

  it('R5: 4xx to RCPT defers that recipient; 452 marks it for the next transaction (R4)', () => {
    const fates = recipientFates({
      rcptReplies: [ok, reply(450, '4.2.0', 'greylisted'), reply(452, '4.5.3', 'too many recipients')],
      end: { kind: 'reply', stage: 'dot', reply: reply(250, '2.0.0') },
    });
    expect(fates.map((f) => [f.fate, f.status, f.nextTransaction])).toEqual([
      ['accepted', '2.0.0', false],
      ['deferred', '4.2.0', false],
      ['deferred', '4.5.3', true],
    ]);
  });

  it('R5: 5xx to MAIL, DATA or "." fails every recipient still open; 4xx there defers them', () => {
    for (const stage of ['mail', 'data', 'dot'] as const) {
      const failed = recipientFates({
        rcptReplies: stage === 'mail' ? [null, null] : [ok, ok],
        end: { kind: 'reply', stage, reply: reply(554, '5.7.1', 'no') },
      });
      expect(failed.map((f) => f.fate)).toEqual(['failed', 'failed']);
      const deferred = recipientFates({
        rcptReplies: stage === 'mail' ? [null, null] : [ok, ok],
        end: { kind: 'reply', stage, reply: reply(451, '4.3.0', 'later') },
      });
      expect(deferred.map((f) => f.fate)).toEqual(['deferred', 'deferred']);
    }
  });

  it('R3/E3: a connection lost after "." defers and flags a possible duplicate', () => {
    const fates = recipientFates({ rcptReplies: [ok], end: { kind: 'connection', stage: 'dot', failure: 'dropped' } });
    expect(fates[0]).toMatchObject({ fate: 'deferred', status: '4.4.2', possibleDuplicate: true });
    const before = recipientFates({ rcptReplies: [ok], end: { kind: 'connection', stage: 'data', failure: 'timeout' } });
    expect(before[0]).toMatchObject({ fate: 'deferred', status: '4.4.1', possibleDuplicate: false });
  });

  it('a 2xx that does not end with "." never counts as delivered', () => {
    const fates = recipientFates({ rcptReplies: [ok], end: { kind: 'reply', stage: 'data', reply: reply(250, null) } });
    expect(fates[0]!.fate).toBe('deferred');
  });

  it('R5 property: accepted only with a 2xx RCPT and a 2xx to "."; a 5xx RCPT always fails', () => {
    const replyArb = fc.integer({ min: 200, max: 599 }).map((code) => reply(code, null));
    fc.assert(
      fc.property(fc.array(fc.option(replyArb), { minLength: 1, maxLength: 8 }), replyArb, (rcpts, dotReply) => {
        const fates = recipientFates({ rcptReplies: rcpts, end: { kind: 'reply', stage: 'dot', reply: dotReply } });
        return fates.every((fate, i) => {
          const rcpt = rcpts[i];
          const rcptOk = rcpt != null && rcpt.code < 400;
          if (fate.fate === 'accepted' && !(rcptOk && dotReply.code < 400)) return false;
          if (rcpt != null && rcpt.code >= 500 && rcpt.code < 600 && fate.fate !== 'failed') return false;
          return true;
        });
      }),
    );
  });
});
