/**
 * The mail log records a fact once, `record(event)`, and the event's declaration gives both its trace
 * line — kind and field order exactly as before the events were declared (the pinned digests depend on
 * them) — and its fold into the records the report is built from. `mailsim serve` keeps no records
 * (`keep: false`), so its memory does not grow with every message, while the trace stays the same.
 */
import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../src/mail/events/index.js';
import { MailLog } from '../../src/mail/log.js';
import { Simulator } from '../../src/sim/index.js';

function exercise(log: MailLog, messages: number): void {
  for (let i = 0; i < messages; i++) {
    const messageId = `<${i}@sender.net>`;
    log.record({ kind: 'mail.submit', messageId, from: 'alice@sender.net', to: ['bob@example.org'], subject: `Message ${i}` });
    log.record({ kind: 'mail.accept', host: 'smtp.sender.net', messageId, to: ['bob@example.org'], port: 587, from: 'alice@sender.net' });
    log.record({ kind: 'mail.attempt', messageId, rcpt: 'bob@example.org', atMs: 0, from: 'smtp.sender.net', to: 'mx.example.org', address: '10.0.0.10', result: 'accepted', reply: '250 OK', conn: 'c1', tls: true });
    log.record({ kind: 'mail.deliver', messageId, to: 'bob@example.org', host: 'mx.example.org', user: 'bob', folder: 'INBOX' });
    log.record({ kind: 'mail.open-relay', host: 'mx.example.org', recipient: 'someone@elsewhere.invalid' });
  }
}

/**
 * One event of every kind, and the trace line each must give: the kinds and field orders of the mail log
 * before `record`, and an attempt's connection id and TLS last.
 */
const traced: Array<[MailEvent, string]> = [
  [{ kind: 'mail.submit', messageId: '<1@a>', from: 'a@a', to: ['b@b', 'c@c'], subject: null }, '{"kind":"mail.submit","messageId":"<1@a>","from":"a@a","to":"b@b,c@c","subject":null}'],
  [
    { kind: 'mail.attempt', messageId: '<1@a>', rcpt: 'b@b', atMs: 5, from: 'mx.a', to: 'mx.b', address: '10.0.0.2', result: 'deferred', reply: '451 later', conn: 'c7', tls: false },
    '{"kind":"mail.attempt","messageId":"<1@a>","rcpt":"b@b","atMs":5,"from":"mx.a","to":"mx.b","address":"10.0.0.2","result":"deferred","reply":"451 later","conn":"c7","tls":false}',
  ],
  [{ kind: 'mail.accept', host: 'mx.b', messageId: '<1@a>', to: ['b@b'], port: 25, from: 'a@a' }, '{"kind":"mail.accept","host":"mx.b","messageId":"<1@a>","to":"b@b","port":25}'],
  [{ kind: 'mail.deliver', messageId: '<1@a>', to: 'b@b', host: 'mx.b', user: 'b', folder: 'INBOX' }, '{"kind":"mail.deliver","messageId":"<1@a>","to":"b@b","host":"mx.b","user":"b","folder":"INBOX"}'],
  [
    { kind: 'mail.bounce', messageId: '<1@a>', to: 'c@c', status: '5.1.1', reportingMta: 'mx.a', diagnostic: '550 no', remoteMta: 'mx.c', dsnMessageId: '<d@a>' },
    '{"kind":"mail.bounce","messageId":"<1@a>","to":"c@c","status":"5.1.1","reportingMta":"mx.a","diagnostic":"550 no","remoteMta":"mx.c","dsnMessageId":"<d@a>"}',
  ],
  [{ kind: 'mail.discard', messageId: '<1@a>', to: 'c@c', reason: 'NOTIFY=NEVER' }, '{"kind":"mail.discard","messageId":"<1@a>","to":"c@c","reason":"NOTIFY=NEVER"}'],
  [{ kind: 'mail.reject', messageId: '<1@a>', to: 'c@c', reply: '550 no', host: 'smtp.a' }, '{"kind":"mail.reject","messageId":"<1@a>","to":"c@c","reply":"550 no"}'],
  [{ kind: 'mail.dsn', messageId: '<d@a>', about: '<1@a>', to: 'a@a', reportingMta: 'mx.a', action: 'failed' }, '{"kind":"mail.dsn","messageId":"<d@a>","about":"<1@a>","to":"a@a","reportingMta":"mx.a","action":"failed"}'],
  [{ kind: 'mail.open-relay', host: 'mx.b', recipient: 'x@elsewhere' }, '{"kind":"mail.open-relay","host":"mx.b","recipient":"x@elsewhere"}'],
];

describe('MailLog.record', () => {
  it.each(traced)('writes the trace line of %o from its declaration', (event, line) => {
    const sim = new Simulator({ seed: 1, keepTrace: true });
    new MailLog(sim).record(event);
    expect(JSON.stringify(sim.trace.events[0])).toBe(`{"t":0,${line.slice(1)}`);
  });

  it('folds the facts into the records: messages in order of first sight, hops, attempts, landings, violations', () => {
    const sim = new Simulator({ seed: 1 });
    const log = new MailLog(sim);
    exercise(log, 3);
    expect([...log.records.messages.values()].map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    const bob = log.records.messages.get('<2@sender.net>')!.recipients.find((r) => r.address === 'bob@example.org')!;
    expect(bob.hops).toEqual(['smtp.sender.net']);
    expect(bob.acceptedAtMs).toBe(0);
    expect(bob.attempts).toEqual([{ atMs: 0, from: 'smtp.sender.net', to: 'mx.example.org', address: '10.0.0.10', result: 'accepted', reply: '250 OK', conn: 'c1', tls: true }]);
    expect(bob.deliveries).toEqual([{ host: 'mx.example.org', user: 'bob', folder: 'INBOX', atMs: 0 }]);
    expect(log.records.relayViolations).toHaveLength(3);
  });

  it('keeps the first bounce, discard and refusal of a recipient; a DSN is a message of its own', () => {
    const log = new MailLog(new Simulator({ seed: 1 }));
    for (const [event] of traced) log.record(event);
    log.record({ kind: 'mail.discard', messageId: '<1@a>', to: 'c@c', reason: 'second' });
    const c = log.records.messages.get('<1@a>')!.recipients.find((r) => r.address === 'c@c')!;
    expect(c.bounce?.status).toBe('5.1.1');
    expect(c.discarded?.reason).toBe('NOTIFY=NEVER');
    expect(c.rejected).toEqual({ atMs: 0, reply: '550 no', host: 'smtp.a' });
    const dsn = log.records.messages.get('<d@a>')!;
    expect([dsn.id, dsn.dsn, dsn.aboutMessageId, dsn.from, dsn.recipients.map((r) => r.address)]).toEqual(['m2', true, '<1@a>', '', ['a@a']]);
    expect([...log.records.messages.get('<1@a>')!.envelopeSenders]).toEqual(['a@a']);
  });

  it('with keep: false records the same trace and holds nothing', () => {
    const kept = new Simulator({ seed: 1 });
    const lean = new Simulator({ seed: 1 });
    exercise(new MailLog(kept), 50);
    const log = new MailLog(lean, { keep: false });
    exercise(log, 50);
    expect(log.records.messages.size).toBe(0);
    expect(log.records.relayViolations).toHaveLength(0);
    expect(lean.trace.count).toBe(kept.trace.count);
    expect(lean.trace.digest()).toBe(kept.trace.digest());
  });

  it('observe: an observer hears every event as it is recorded, until it unsubscribes; the trace is the same', () => {
    const plain = new Simulator({ seed: 1 });
    const observed = new Simulator({ seed: 1 });
    const unobserved = new MailLog(plain, { keep: false });
    exercise(unobserved, 1);
    exercise(unobserved, 1);
    const log = new MailLog(observed, { keep: false });
    const heard: string[] = [];
    const stop = log.observe((event) => heard.push(event.kind));
    exercise(log, 1);
    stop();
    exercise(log, 1);
    expect(heard).toEqual(['mail.submit', 'mail.accept', 'mail.attempt', 'mail.deliver', 'mail.open-relay']);
    expect(observed.trace.digest()).toBe(plain.trace.digest());
  });
});
