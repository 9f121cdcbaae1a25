/**
 * The server-side fault kinds of issue 20 point 2 in a simulated world (docs/reference.md §6): `delay`
 * holds a reply (a long one makes the sending MTA time out and retry), `rate-limit` refuses MAIL FROM
 * beyond a rate with 421 and closes, `greylist` switches greylisting on for a while, `tls-off` stops
 * STARTTLS. Each test compares with the same world without the fault, so it fails without the mechanism.
 */
import { describe, expect, it } from 'vitest';
import { SmtpServerSwitches } from '../../src/nodes/smtp/server-switches.js';
import { recipient, run, twoDomainWorld } from '../nodes/world-harness.js';

const oneMx = '{ mx: ["10 mx1.example.org"] }';
const world = (faults: string, traffic?: string) => run(twoDomainWorld({ example: oneMx, faults, ...(traffic === undefined ? {} : { traffic }), until: '1d' }));
const bob = (faults: string, index = 0, traffic?: string) => recipient(world(faults, traffic).report, 'bob@example.org', index);
const sends = (n: number) =>
  `\n${Array.from({ length: n }, (_, i) => `  - at: ${60 + i}s\n    send: { from: alice@sender.net, to: bob@example.org, subject: "m${i}", body: "x" }`).join('\n')}`;

describe('delay', () => {
  it('a short delay at RCPT only makes delivery later, by the delay', () => {
    const plain = bob('[]');
    const late = bob('[{ at: 0s, delay: { host: mx1.example.org, on: rcpt, by: 20s } }]');
    expect(late.status).toBe('delivered');
    expect(late.attempts).toHaveLength(1);
    expect(late.finalAtMs! - plain.finalAtMs!).toBeGreaterThanOrEqual(20_000);
    expect(late.finalAtMs! - plain.finalAtMs!).toBeLessThan(21_000);
  });

  it('a delay of the reply to the final dot past the client timeout: the attempt fails, a later one delivers', () => {
    const slow = bob('[{ at: 0s, delay: { host: mx1.example.org, on: dot, by: 20m, times: 1 } }]');
    expect(slow.status).toBe('delivered');
    expect(slow.attempts.length).toBeGreaterThanOrEqual(2);
    expect(slow.attempts[0]!.result).not.toBe('accepted');
    expect(slow.attempts.at(-1)!.result).toBe('accepted');
  });
});

describe('rate-limit', () => {
  it('per client window: the MAIL FROM over the limit gets 421 4.7.0, later retries deliver', () => {
    const faults = '[{ at: 0s, until: 30m, rate-limit: { host: mx1.example.org, messages: 2, per: 10m } }]';
    const { report } = world(faults, sends(4));
    const firsts = [0, 1, 2, 3].map((i) => recipient(report, 'bob@example.org', i).attempts[0]!);
    expect(firsts.map((a) => a.result)).toEqual(['accepted', 'accepted', 'deferred', 'deferred']);
    expect(firsts[2]!.reply).toMatch(/^421 4\.7\.0 Error: too much mail from 10\./);
    for (const i of [0, 1, 2, 3]) expect(recipient(report, 'bob@example.org', i).status).toBe('delivered');
  });

  it('without it the same four are accepted at once', () => {
    const { report } = world('[]', sends(4));
    expect([0, 1, 2, 3].map((i) => recipient(report, 'bob@example.org', i).attempts.length)).toEqual([1, 1, 1, 1]);
  });

  it('per connection counts the MAIL commands of one session', () => {
    const switches = new SmtpServerSwitches();
    switches.addRateLimit({ messages: 2, perMs: null, code: 421, text: null });
    const a = {};
    const b = {};
    expect([1, 2, 3].map(() => switches.mailOverLimit(a, '192.0.2.1', 0)?.code ?? 250)).toEqual([250, 250, 421]);
    expect(switches.mailOverLimit(b, '192.0.2.1', 0)).toBeNull(); // a new session starts at zero
  });
});

describe('greylist', () => {
  it('while on: the first attempt gets 450 4.2.0, the retry after the delay passes', () => {
    const grey = bob('[{ at: 0s, until: 2h, greylist: { host: mx1.example.org, delay: 5m } }]');
    expect(grey.attempts[0]!.reply).toMatch(/^450 4\.2\.0/);
    expect(grey.status).toBe('delivered');
    expect(grey.finalAtMs! - grey.attempts[0]!.atMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(bob('[]').attempts).toHaveLength(1);
  });

  it('after it ends the host is back to no greylisting', () => {
    expect(bob('[{ at: 0s, until: 30s, greylist: { host: mx1.example.org } }]').attempts).toHaveLength(1);
  });
});

describe('tls-off', () => {
  it('the relay sends in the clear while it is on, over TLS without it', () => {
    expect(bob('[]').attempts[0]!.tls).toBe(true);
    const clear = bob('[{ at: 0s, tls-off: mx1.example.org }]');
    expect(clear.status).toBe('delivered');
    expect(clear.attempts[0]!.tls).toBe(false);
  });
});
