/**
 * The fidelity suite's readers, on lines taken from a real Postfix 3.7 run (no Postfix needed, so
 * this runs in `npm test`): the maillog parser attributes connection lines to their status line,
 * recognises qmgr's suspended deferrals and expiries; the Postfix side gives each attempt its DNS
 * query's time, a connection that reached a fake the fake's time, and reads the bounce's DSN.
 */
import { describe, expect, it } from 'vitest';
import { experiments } from './experiments.js';
import { deferredScanSeconds, parseMaillog } from './maillog.js';
import { originMs } from './collect.js';
import { postfixOutcome } from './postfix-side.js';

const base = new Date(2026, 11, 4, 7, 24, 29).getTime();
const log = [
  'Dec 04 07:24:29 mta postfix/smtp[13016]: connect to mx1.dead-destination.test[127.77.9.1]:25: Connection refused',
  'Dec 04 07:24:29 mta postfix/smtp[13015]: 5248F40C00A: host mx1.greeting-554.test[127.77.5.1] refused to talk to me: 554 5.3.2 mx1 not accepting mail',
  'Dec 04 07:24:29 mta postfix/smtp[13016]: 4D93D40C015: to=<m1@dead-destination.test>, relay=none, delay=0.27, delays=0.06/0.21/0/0, dsn=4.4.1, status=deferred (connect to mx1.dead-destination.test[127.77.9.1]:25: Connection refused)',
  'Dec 04 07:24:29 mta postfix/error[13051]: 57D9140C081: to=<m5@dead-destination.test>, relay=none, delay=0.34, delays=0/0.33/0/0.02, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx1.dead-destination.test[127.77.9.1]:25: Connection refused)',
  'Dec 04 07:24:29 mta postfix/smtp[13015]: 5248F40C00A: to=<m1@greeting-554.test>, relay=mx2.greeting-554.test[127.77.5.2]:25, delay=0.08, delays=0.01/0.01/0.05/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)',
  'Dec 04 07:24:33 mta postfix/smtp[13016]: connect to mx1.down-forever.test[127.77.3.1]:25: Connection refused',
  'Dec 04 07:24:33 mta postfix/smtp[13016]: connect to mx2.down-forever.test[127.77.3.2]:25: Connection refused',
  'Dec 04 07:24:33 mta postfix/smtp[13016]: 4AEC940C24D: to=<m1@down-forever.test>, relay=none, delay=3.7, delays=3.7/0/0/0, dsn=4.4.1, status=deferred (connect to mx2.down-forever.test[127.77.3.2]:25: Connection refused)',
  'Dec 04 07:28:44 mta postfix/qmgr[12999]: 4AEC940C24D: from=<down-forever@sender.test>, status=expired, returned to sender',
  'Dec 04 07:24:29 mta postfix/qmgr[12999]: 4D93D40C015: from=<dead-destination@sender.test>, size=412, nrcpt=1 (queue active)',
].join('\n');

describe('maillog reader', () => {
  const attempts = parseMaillog(log, base);

  it('gives each status line the connection lines of its smtp process that came before it', () => {
    const greeting = attempts.find((a) => a.rcpt === 'm1@greeting-554.test');
    expect(greeting?.connections).toEqual([
      { host: 'mx1.greeting-554.test', result: 'greeting', text: '554 5.3.2 mx1 not accepting mail' },
      { host: 'mx2.greeting-554.test', result: 'sent', text: '250 2.0.0 Ok: queued' },
    ]);
    const dead = attempts.find((a) => a.rcpt === 'm1@dead-destination.test');
    expect(dead).toMatchObject({ status: 'deferred', suspended: false, dsn: '4.4.1', second: base });
    expect(dead?.connections.map((c) => c.result)).toEqual(['refused']);
    const down = attempts.find((a) => a.rcpt === 'm1@down-forever.test');
    expect(down?.connections.map((c) => `${c.host} ${c.result}`)).toEqual(['mx1.down-forever.test refused', 'mx2.down-forever.test refused']);
    expect(down?.second).toBe(base + 4000);
  });

  it('recognises a deferral without a connection (dead destination) and an expiry', () => {
    expect(attempts.find((a) => a.rcpt === 'm5@dead-destination.test')).toMatchObject({ suspended: true, connections: [] });
    expect(attempts.find((a) => a.status === 'expired')).toMatchObject({ queueId: '4AEC940C24D' });
    expect(attempts).toHaveLength(5);
  });
});

describe("qmgr's scan seconds and mailsim's t = 0", () => {
  // Lines of the run whose qmgr scanned in odd seconds (postfix start returned at .836 s): a deferral
  // at :35, then the deferred file taken back at :40 and :44.
  const stamp = (s: number) => `Dec 04 10:08:${String(s).padStart(2, '0')}`;
  const lines = (scanSeconds: number[]) =>
    [
      `${stamp(35)} mta postfix/qmgr[1155]: A95E3414139: from=<dead-destination@sender.test>, size=412, nrcpt=1 (queue active)`,
      `${stamp(35)} mta postfix/smtp[1160]: A95E3414139: to=<m1@dead-destination.test>, relay=none, delay=0.02, delays=0.01/0.01/0/0, dsn=4.4.1, status=deferred (connect to mx1.dead-destination.test[127.77.9.1]:25: Connection refused)`,
      ...scanSeconds.flatMap((s) => [
        `${stamp(s)} mta postfix/qmgr[1155]: A95E3414139: from=<dead-destination@sender.test>, size=412, nrcpt=1 (queue active)`,
        `${stamp(s)} mta postfix/smtp[1160]: A95E3414139: to=<m1@dead-destination.test>, relay=none, delay=4, delays=4/0/0/0, dsn=4.4.1, status=deferred (connect to mx1.dead-destination.test[127.77.9.1]:25: Connection refused)`,
      ]),
    ].join('\n');
  const second = (s: number) => new Date(2026, 11, 4, 10, 8, s).getTime();
  const startedAtMs = second(35) + 836;

  it('reads the seconds in which qmgr took deferred mail back, not its first activation', () => {
    expect(deferredScanSeconds(lines([40, 44]), startedAtMs)).toEqual([second(40), second(44)]);
  });

  it('puts t = 0 a second early when qmgr scans in the other parity of seconds (queue_run_delay 2 s)', () => {
    expect(originMs({ startedAtMs, maillog: lines([40, 44]) })).toBe(second(34));
    expect(originMs({ startedAtMs, maillog: lines([39, 43]) })).toBe(second(35));
    expect(originMs({ startedAtMs, maillog: '' })).toBe(second(35));
  });
});

describe('Postfix side of an experiment', () => {
  const e = experiments.find((x) => x.id === 'down-forever')!;
  const injected = base - 300;
  const dsn = [
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mta.fidelity.test',
    '',
    'Final-Recipient: rfc822; m1@down-forever.test',
    'Action: failed',
    'Status: 4.4.1',
    'Diagnostic-Code: X-Postfix; connect to mx2.down-forever.test[127.77.3.2]:25: Connection',
    '    refused',
    '',
    '--B--',
  ].join('\r\n');
  const outcome = postfixOutcome(e, {
    injectedAtMs: [injected],
    attempts: parseMaillog(log, base),
    queries: [
      { atMs: base - 250, type: 'MX', name: 'down-forever.test' },
      { atMs: base - 240, type: 'A', name: 'mx1.down-forever.test' },
      { atMs: base + 3450, type: 'MX', name: 'down-forever.test' },
      { atMs: base + 3460, type: 'MX', name: 'other.test' },
    ],
    connections: [],
    bounces: [{ host: 'mx.sender.test', atMs: base + 255_000, mailFrom: '', rcpts: ['down-forever@sender.test'], data: dsn }],
  });
  const message = outcome.messages[0]!;

  it('times each attempt by its MX query, to the millisecond; the first logged attempt is at the 2nd query', () => {
    // The maillog above holds the retry at 07:24:33 only; it takes the query of that second's window.
    expect(message.rows.map((r) => [r.host, r.result, r.atS, r.precise])).toEqual([
      ['mx1.down-forever.test', 'refused', 3.75, true],
      ['mx2.down-forever.test', 'refused', 3.75, true],
    ]);
  });

  it('reads the bounce caught at the sender’s MX: its time and DSN fields with their types', () => {
    expect(message.fate).toBe('bounced');
    expect(message.fateAtS).toBeCloseTo(255.3, 5);
    expect(message.dsn).toEqual({
      action: 'failed',
      status: '4.4.1',
      diagnosticCode: 'X-Postfix; connect to mx2.down-forever.test[127.77.3.2]:25: Connection refused',
      remoteMta: null,
      reportingMta: 'mta.fidelity.test',
    });
  });
});
