/**
 * The one DeliveryStatus (src/mail/status.ts): what a reply, a failed connection or a local decision
 * gives a recipient — outcome and RFC 3463 code (docs/delivery.md R2, R3, R6, D7).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asDeferral, defaultCode, fromConnection, fromLocal, fromReply, fromReplyLine, replyLine, soften } from '../../src/mail/status.js';
import type { SmtpReply } from '../../src/protocols/smtp/types.js';

const reply = (code: number, enhanced: string | null, text = 'text'): SmtpReply => ({ code, enhanced, lines: [text] });

describe('fromReply (R2, D7)', () => {
  it('R2: 2xx accepted, 4xx deferred, 5xx failed; a 3xx or out-of-range code where a final reply was due defers', () => {
    expect(fromReply(reply(250, '2.0.0'), 'mx').outcome).toBe('accepted');
    expect(fromReply(reply(450, '4.2.0'), 'mx').outcome).toBe('deferred');
    expect(fromReply(reply(550, '5.1.1'), 'mx').outcome).toBe('failed');
    expect(fromReply(reply(354, null), 'mx')).toMatchObject({ outcome: 'deferred', code: '4.0.0' });
    expect(fromReply(reply(999, null), 'mx')).toMatchObject({ outcome: 'deferred', code: '4.0.0' });
  });

  it('D7: the enhanced code keeps its subject and detail but takes the class of the reply; none or garbage gives X.0.0', () => {
    expect(fromReply(reply(550, '5.1.1'), null).code).toBe('5.1.1');
    expect(fromReply(reply(550, '4.1.1'), null).code).toBe('5.1.1');
    expect(fromReply(reply(450, null), null).code).toBe('4.0.0');
    expect(fromReply(reply(554, 'garbage'), null).code).toBe('5.0.0');
    expect(fromReply(reply(554, '5.1.1 trailing'), null).code).toBe('5.0.0');
    expect(fromReply(reply(550, '5.01.010'), null).code).toBe('5.1.10');
  });

  it('D7 property: the code is well formed and of the class the outcome has', () => {
    const classOf = { accepted: '2', deferred: '4', failed: '5' } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 599 }),
        fc.option(fc.tuple(fc.constantFrom('2', '4', '5'), fc.nat(999), fc.nat(999)).map(([c, s, d]) => `${c}.${s}.${d}`)),
        (code, enhanced) => {
          const status = fromReply(reply(code, enhanced), 'mx');
          const expectedClass = code >= 300 && code < 400 ? '4' : String(code)[0];
          return status.code.startsWith(`${expectedClass}.`) && status.code[0] === classOf[status.outcome] && /^[245]\.\d{1,3}\.\d{1,3}$/.test(status.code);
        },
      ),
    );
  });

  it('keeps the reply, the remote MTA and the reply as one line for Diagnostic-Code', () => {
    const refused = reply(550, '5.1.1', 'user unknown');
    expect(fromReply(refused, 'mx1.example.org')).toEqual({
      outcome: 'failed',
      code: '5.1.1',
      reply: refused,
      remoteMta: 'mx1.example.org',
      diagnostic: '550 5.1.1 user unknown',
    });
  });

  it('replyLine renders a multi-line reply on one line with its enhanced code', () => {
    expect(replyLine({ code: 550, enhanced: '5.1.1', lines: ['5.1.1 <bob@example.org>: user', 'unknown'] })).toBe('550 5.1.1 <bob@example.org>: user unknown');
    expect(replyLine({ code: 451, enhanced: '4.3.0', lines: ['try later\r\n'] })).toBe('451 4.3.0 try later');
  });
});

describe('fromConnection: RFC 3463 §3.5 X.4.1 "No answer from host" vs X.4.2 "Bad connection" (R3)', () => {
  it('RFC 3463 §3.5 X.4.1: a connection attempt that was not answered (connect timeout) or refused is 4.4.1, as Postfix reports it', () => {
    expect(fromConnection('connect-timeout', 'connect to mx[10.0.0.1]:25: Connection timed out')).toEqual({
      outcome: 'deferred',
      code: '4.4.1',
      reply: null,
      remoteMta: null,
      diagnostic: 'connect to mx[10.0.0.1]:25: Connection timed out',
    });
    expect(fromConnection('refused', 'refused').code).toBe('4.4.1');
  });

  it('RFC 3463 §3.5 X.4.2: a timeout or a lost line after the connection was made is 4.4.2, as Postfix reports it', () => {
    expect(fromConnection('timeout', 'conversation with mx[10.0.0.1] timed out while sending RCPT TO')).toMatchObject({ outcome: 'deferred', code: '4.4.2' });
    expect(fromConnection('lost', 'lost connection with mx[10.0.0.1] while sending RCPT TO')).toMatchObject({ outcome: 'deferred', code: '4.4.2' });
  });

  it('R3: every connection-level failure defers, and names no remote MTA: no reply gave its diagnostic (RFC 3464 §2.3.5, D5)', () => {
    for (const failure of ['refused', 'connect-timeout', 'timeout', 'lost'] as const) {
      expect(fromConnection(failure, '')).toMatchObject({ outcome: 'deferred', remoteMta: null, reply: null });
    }
  });
});

describe('soften, asDeferral and fromLocal', () => {
  it('asDeferral: deferred with the code kept (for the bounce at expiry, D5); a deferral is left as it is', () => {
    const refused = fromReply(reply(554, '5.5.1', 'no'), 'mx');
    expect(asDeferral(refused)).toEqual({ ...refused, outcome: 'deferred' });
    const later = fromReply(reply(451, '4.3.0'), 'mx');
    expect(asDeferral(later)).toBe(later);
  });


  it('R6: soften turns a permanent status into a deferral of the same subject and detail, and leaves a 4.x.x code alone', () => {
    expect(soften(fromReply(reply(554, '5.7.1', 'no service'), 'mx'))).toMatchObject({ outcome: 'deferred', code: '4.7.1', diagnostic: '554 5.7.1 no service', remoteMta: 'mx' });
    expect(soften(fromReply(reply(421, '4.3.2'), 'mx'))).toMatchObject({ outcome: 'deferred', code: '4.3.2' });
  });

  it('fromLocal: a decision made here carries the code it names, which must be of its outcome’s class', () => {
    expect(fromLocal('failed', '5.1.10', 'domain example.org does not accept mail (nullMX)')).toEqual({
      outcome: 'failed',
      code: '5.1.10',
      reply: null,
      remoteMta: null,
      diagnostic: 'domain example.org does not accept mail (nullMX)',
    });
    expect(fromLocal('accepted', defaultCode.success, null).code).toBe('2.0.0');
    expect(() => fromLocal('deferred', '5.4.4', 'x')).toThrow(/5\.4\.4/);
  });
});

describe('fromReplyLine: a logged reply line, read as the MTA reads the reply', () => {
  it('takes the line’s own enhanced code, else X.0.0 of its class; a line that is not a reply has none', () => {
    expect(fromReplyLine('550 5.1.1 <bob@example.org>: user unknown', 'msa')).toMatchObject({ outcome: 'failed', code: '5.1.1', remoteMta: 'msa' });
    expect(fromReplyLine('554 go away', null)?.code).toBe('5.0.0');
    expect(fromReplyLine('550-5.7.1 first line', null)?.code).toBe('5.7.1');
    expect(fromReplyLine('message-too-large', null)).toBeNull();
    expect(fromReplyLine('gave up after 5 submission attempts: 451 4.3.0 later', null)).toBeNull();
  });

  it('D7: a code of another class is text, not the reply’s code (the reply parser reads it so too)', () => {
    expect(fromReplyLine('550 4.1.1 odd', null)?.code).toBe('5.0.0');
  });

  it('agrees with fromReply on the line replyLine made of a reply', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(250, 421, 450, 451, 452, 550, 552, 554),
        fc.option(fc.tuple(fc.nat(9), fc.nat(20)).map(([s, d]) => `${s}.${d}`)),
        fc.constantFrom('user unknown', 'try later', ''),
        (code, subjectDetail, text) => {
          const r = reply(code, subjectDetail === null ? null : `${String(code)[0]}.${subjectDetail}`, text);
          return fromReplyLine(replyLine(r), 'mx')?.code === fromReply(r, 'mx').code;
        },
      ),
    );
  });
});
