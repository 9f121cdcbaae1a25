/**
 * The mail roles end to end (issue 4): small worlds built from scenario text, one test per rule of
 * docs/delivery.md, each citing its id.
 */
import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import { headerCount, mailbox, recipient, run, submitRaw, twoDomainWorld } from './world-harness.js';

const encoder = new TextEncoder();

describe('the seed story: primary MX down, backup MX holds the mail (docs/reference.md §2)', () => {
  const { report, world } = run(twoDomainWorld({ faults: '\n  - { at: 0s, down: mx1.example.org, until: 2h }' }), { seed: 7 });
  const bob = recipient(report, 'bob@example.org');

  it('lands in bob’s mailbox exactly once, via the backup MX, after the primary is back', () => {
    expect(bob.status).toBe('delivered');
    expect(bob.deliveries).toHaveLength(1);
    expect(bob.deliveries[0]!.host).toBe('mx1.example.org');
    expect(bob.deliveries[0]!.atMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(bob.hops).toEqual(['smtp.sender.net', 'mx2.example.org', 'mx1.example.org']);
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(1);
  });

  it('T1/T2: one Received per accepting server, exactly one Return-Path', () => {
    const [message] = mailbox(world, 'mx1.example.org', 'bob');
    expect(headerCount(message!, 'Received')).toBe(3);
    expect(headerCount(message!, 'Return-Path')).toBe(1);
    expect(message).toMatch(/^Return-Path: <alice@sender\.net>\r\nReceived: from mx2\.example\.org/);
    const byHosts = [...message!.matchAll(/\bby ([a-z0-9.]+) with/g)].map((m) => m[1]);
    expect(byHosts).toEqual(['mx1.example.org', 'mx2.example.org', 'smtp.sender.net']);
  });

  it('R6/M4: the sender tried mx1 first (timeout), then mx2 in the same attempt', () => {
    const first = bob.attempts.filter((a) => a.from === 'smtp.sender.net');
    expect(first.map((a) => [a.to, a.result])).toEqual([
      ['mx1.example.org', 'timeout'],
      ['mx2.example.org', 'accepted'],
    ]);
    expect(first[1]!.atMs - first[0]!.atMs).toBe(30_000); // connect timeout, then the next MX at once
  });

  it('M6: the backup MX only ever tries the better MX, never itself', () => {
    const fromBackup = bob.attempts.filter((a) => a.from === 'mx2.example.org');
    expect(fromBackup.length).toBeGreaterThan(1);
    expect(new Set(fromBackup.map((a) => a.to))).toEqual(new Set(['mx1.example.org']));
  });

  it('R8: the backup MX retries on the Postfix schedule, picked up by queue scans', () => {
    const times = bob.attempts.filter((a) => a.from === 'mx2.example.org').map((a) => a.atMs);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(300_000); // never earlier than minimal_backoff_time
      expect(gap).toBeLessThanOrEqual(4_000_000 + 300_000 + 30_000); // maximal backoff + a scan + the connect timeout
    }
  });

  it('passes its invariants and is deterministic (same seed ⇒ same traceDigest)', () => {
    expect(report.invariants.every((i) => i.passed)).toBe(true);
    const again = run(twoDomainWorld({ faults: '\n  - { at: 0s, down: mx1.example.org, until: 2h }' }), { seed: 7 });
    expect(again.report.traceDigest).toBe(report.traceDigest);
  });
});

describe('MX selection (docs/delivery.md §1)', () => {
  it('M1: a CNAME for the recipient domain restarts the MX lookup at its target', () => {
    const { report } = run(
      twoDomainWorld({
        traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@alias.example, body: x }',
        dnsExtra: '  alias.example: { cname: example.org }',
      }).replace('domains: [example.org]', 'domains: [example.org, alias.example]'),
    );
    const bob = recipient(report, 'bob@alias.example');
    expect(bob.status).toBe('delivered');
    expect(bob.attempts[0]!.to).toBe('mx1.example.org');
  });

  it('M7: MX targets that do not resolve to an address bounce (5.4.4), without a connection', () => {
    const { report } = run(twoDomainWorld({ example: '{ mx: ["10 ghost1.example.org", "20 ghost2.example.org"] }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.4.4');
    expect(bob.attempts).toEqual([]);
  });

  it('M2: NXDOMAIN for the recipient domain bounces 5.4.4 with a DSN to the sender', () => {
    const { report, world } = run(twoDomainWorld({ traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@nowhere.example, body: x }' }));
    const r = recipient(report, 'bob@nowhere.example');
    expect(r.status).toBe('bounced');
    expect(r.bounce?.status).toBe('5.4.4');
    expect(mailbox(world, 'smtp.sender.net', 'alice')).toHaveLength(1);
  });

  it('M2: SERVFAIL defers (4.4.3), and the mail goes through once DNS answers again', () => {
    const { report } = run(twoDomainWorld({ faults: '\n  - { at: 0s, dns: { name: example.org, type: mx, rcode: servfail }, until: 20m }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('delivered');
    expect(bob.deliveries[0]!.atMs).toBeGreaterThan(20 * 60_000);
    expect(report.messages.some((m) => m.dsn)).toBe(false);
  });

  it('M3: a domain without MX records gets mail at its own address (implicit MX)', () => {
    const { report } = run(
      twoDomainWorld({ example: '{ a: 10.0.0.10 }', dnsExtra: '  mx1.example.org: { a: 10.0.0.10 }', mx2: 'roles: [mta]' }).replace(
        'mx1.example.org:\n    roles: [mta, mda]',
        'mx1.example.org:\n    address: 10.0.0.10\n    roles: [mta, mda]',
      ),
    );
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
  });

  it('M4: MX hosts of equal preference are shuffled with the seed (both come first for some seed)', () => {
    const firstTried = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const { report } = run(twoDomainWorld({ example: '{ mx: ["10 mx1.example.org", "10 mx2.example.org"] }' }), { seed });
      firstTried.add(recipient(report, 'bob@example.org').attempts[0]!.to);
    }
    expect(firstTried).toEqual(new Set(['mx1.example.org', 'mx2.example.org']));
  });

  it('M5: one attempt tries at most mx-addresses (5) addresses', () => {
    const mxs = [1, 2, 3, 4, 5, 6, 7].map((n) => `"${n * 10} dead${n}.example.org"`).join(', ');
    const dead = [1, 2, 3, 4, 5, 6, 7].map((n) => `  dead${n}.example.org: { a: 10.9.0.${n} }`).join('\n');
    const { report } = run(twoDomainWorld({ example: `{ mx: [${mxs}] }`, dnsExtra: dead, until: '5m' }));
    const attempts = recipient(report, 'bob@example.org').attempts;
    expect(attempts.map((a) => a.to)).toEqual(['dead1.example.org', 'dead2.example.org', 'dead3.example.org', 'dead4.example.org', 'dead5.example.org']);
  });

  it('M6: a host listed as the best MX of a domain it does not serve bounces 5.4.6 (mail loops back to myself)', () => {
    const { report } = run(twoDomainWorld({ example: '{ mx: ["10 mx2.example.org"] }', faults: '[]' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.4.6');
  });

  it('M8: a null MX bounces at once with 5.1.10, without any connection', () => {
    const { report } = run(twoDomainWorld({ example: '{ mx: ["0 ."] }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.1.10');
    expect(bob.attempts).toEqual([]);
    expect(bob.bounce!.atMs - 60_000).toBeLessThan(5_000);
  });
});

describe('replies, retries and bounces (docs/delivery.md §2, §6)', () => {
  it('R5/D1–D7: 550 5.1.1 to RCPT bounces that recipient with an RFC 3464 DSN from <> to the sender', () => {
    const { report, world } = run(twoDomainWorld({ traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: [bob@example.org, nobody@example.org], body: x }' }));
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
    const nobody = recipient(report, 'nobody@example.org');
    expect(nobody.status).toBe('bounced');
    expect(nobody.bounce?.status).toBe('5.1.1');
    const dsns = report.messages.filter((m) => m.dsn);
    expect(dsns).toHaveLength(1);
    expect(dsns[0]!.from).toBe('');
    const [dsnText] = mailbox(world, 'smtp.sender.net', 'alice');
    expect(dsnText).toMatch(/^Return-Path: <>\r\n/);
    const parsed = parseDsn(encoder.encode(dsnText!));
    expect(parsed?.recipients.map((r) => [(r.finalRecipient ?? '').replace(/^rfc822;\s*/i, ''), r.action, r.status])).toEqual([['nobody@example.org', 'failed', '5.1.1']]);
    expect(parsed?.recipients[0]?.diagnosticCode).toMatch(/^smtp; ?550 5\.1\.1/);
    expect(report.invariants.every((i) => i.passed)).toBe(true);
  });

  it('R8/R7: all MX down → retried until the lifetime, then bounced with the last 4.x.x status', () => {
    const { report } = run(
      twoDomainWorld({ faults: '\n  - { at: 0s, down: mx1.example.org }\n  - { at: 0s, down: mx2.example.org }', until: '6d' }),
    );
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce!.status).toMatch(/^4\./);
    expect(bob.bounce!.atMs).toBeGreaterThanOrEqual(5 * 86_400_000 + 60_000);
    expect(bob.bounce!.atMs).toBeLessThan(5 * 86_400_000 + 60_000 + 4_600_000);
    const attemptTimes = [...new Set(bob.attempts.map((a) => a.atMs))];
    expect(attemptTimes.length).toBeGreaterThan(90); // ≈ 108 attempts with 300 s scans (R8)
  });

  it('R2: a 4xx at RCPT defers; the retry after the fault gets through', () => {
    const { report } = run(twoDomainWorld({ faults: '\n  - { at: 0s, reply: { host: mx1.example.org, on: rcpt, code: 451, text: "4.3.0 try later" }, until: 10m }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('delivered');
    expect(bob.attempts.some((a) => a.result === 'deferred' && a.reply?.startsWith('451 4.3.0'))).toBe(true);
  });

  it('Exim schedule (R9): retries every 15 minutes at first', () => {
    const yaml = twoDomainWorld({ faults: '\n  - { at: 0s, down: mx1.example.org }\n  - { at: 0s, down: mx2.example.org }', until: '2h' }).replace(
      'network: { latency: 20ms }',
      'network: { latency: 20ms }\ndefaults: { queue: { schedule: exim, scan: 1m } }',
    );
    const { report } = run(yaml);
    // Each attempt tries mx1 then mx2 (30 s connect timeout each); the retry time counts from the failure.
    const attempts = recipient(report, 'bob@example.org').attempts;
    const starts = attempts.filter((a) => a.to === 'mx1.example.org').map((a) => a.atMs);
    const failures = attempts.filter((a) => a.to === 'mx2.example.org').map((a) => a.atMs + 30_000);
    expect(starts.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < starts.length; i++) {
      const waited = starts[i]! - failures[i - 1]!;
      expect(waited).toBeGreaterThanOrEqual(15 * 60_000);
      expect(waited).toBeLessThanOrEqual(15 * 60_000 + 60_000 + 1_000); // plus at most one 1-minute scan and DNS round trips
    }
  });

  it('warn-after: one delayed DSN while the message is still retried', () => {
    const yaml = twoDomainWorld({ faults: '\n  - { at: 0s, down: mx1.example.org }\n  - { at: 0s, down: mx2.example.org }', until: '6h' }).replace(
      'network: { latency: 20ms }',
      'network: { latency: 20ms }\ndefaults: { queue: { warn-after: 4h } }',
    );
    const { report, world } = run(yaml);
    expect(recipient(report, 'bob@example.org').status).toBe('deferred');
    const [warning] = mailbox(world, 'smtp.sender.net', 'alice');
    const parsed = parseDsn(encoder.encode(warning!));
    expect(parsed?.recipients[0]?.action).toBe('delayed');
    expect(report.messages.filter((m) => m.dsn)).toHaveLength(1);
  });

  it('D2: a DSN that cannot be delivered is discarded, never bounced', () => {
    // The backup MX accepts for the domain, the primary refuses the user (5.1.1): the backup owes a DSN
    // to a sender whose domain does not exist, so the DSN fails too — and is dropped, not bounced.
    const { report } = run(
      twoDomainWorld({ traffic: '\n  - at: 1m\n    send: { from: ghost@nowhere.example, to: nobody@example.org, body: x, port: 25, via: mx2.example.org }' }),
    );
    expect(recipient(report, 'nobody@example.org').status).toBe('bounced');
    const dsn = report.messages.find((m) => m.dsn);
    expect(dsn).toBeDefined();
    expect(dsn!.recipients[0]!.status).toBe('discarded');
    expect(report.invariants.find((i) => i.name === 'dsn-sanity')?.passed).toBe(true);
    expect(report.invariants.find((i) => i.name === 'no-loss')?.passed).toBe(true);
  });
});

describe('RFC 1047 duplicates (docs/delivery.md E3)', () => {
  it('a connection lost after the final dot duplicates the message: it lands twice', () => {
    const { report, world } = run(twoDomainWorld({ faults: '\n  - { at: 0s, drop: { host: mx1.example.org, after: dot, times: 1 } }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.deliveries).toHaveLength(2);
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(2);
    expect(bob.attempts[0]!.result).toBe('dropped');
  });

  it('a drop before the dot does not duplicate', () => {
    const { report } = run(twoDomainWorld({ faults: '\n  - { at: 0s, drop: { host: mx1.example.org, after: rcpt, times: 1 } }' }));
    expect(recipient(report, 'bob@example.org').deliveries).toHaveLength(1);
  });
});

describe('inbound policy (docs/delivery.md T3, §4, §8, §11)', () => {
  it('no open relay: port 25 refuses a recipient outside domains and relay-for with 554 5.7.1', () => {
    const { report } = run(
      twoDomainWorld({ traffic: '\n  - at: 1m\n    send: { from: spam@bad.example, to: victim@elsewhere.example, body: x, port: 25, via: mx1.example.org }' }),
    );
    const victim = recipient(report, 'victim@elsewhere.example');
    expect(victim.status).toBe('rejected');
    expect(victim.reason).toMatch(/^554 5\.7\.1/);
    expect(report.invariants.find((i) => i.name === 'no-open-relay')?.passed).toBe(true);
  });

  it('submission (RFC 6409): MAIL before AUTH gets 530 5.7.0; a wrong password gets 535 5.7.8', () => {
    const outcomes: string[] = [];
    const { world } = run(twoDomainWorld({ traffic: '[]' }));
    const msa = world.hosts.get('smtp.sender.net')!;
    for (const auth of [null, { user: 'alice', password: 'wrong' }]) {
      submitRaw(world, 'smtp.sender.net', 587, { from: 'alice@sender.net', recipients: [{ address: 'bob@example.org' }], message: 'Subject: x\r\n\r\nx\r\n' }, { tls: 'required', auth }, (outcome) => {
        if (outcome.kind !== 'session') return;
        const reply = outcome.transactions[0]?.recipients[0]?.reply ?? outcome.closeReply;
        outcomes.push(`${reply?.code} ${reply?.enhanced}`);
      });
    }
    world.sim.runUntil(world.sim.nowMs + 60_000);
    expect(outcomes.sort()).toEqual(['530 5.7.0', '535 5.7.8']);
    expect(msa.queue.size).toBe(0);
  });

  it('greylisting: the first try gets 450 4.2.0, a retry after the delay is accepted', () => {
    const yaml = twoDomainWorld({ example: '{ mx: ["10 mx1.example.org"] }' }).replace('users: { bob: hunter2 }', 'users: { bob: hunter2 }\n    greylist: 5m');
    const { report } = run(yaml);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('delivered');
    expect(bob.attempts[0]!.reply).toMatch(/^450 4\.2\.0/);
    expect(bob.attempts.at(-1)!.result).toBe('accepted');
    expect(bob.attempts.at(-1)!.atMs - bob.attempts[0]!.atMs).toBeGreaterThanOrEqual(300_000);
  });

  it('loop detection: more Received headers than limits.hops bounces with 5.4.6', () => {
    // alice → her MSA (1 Received) → mx1 (2 Received): over a limit of 1 at mx1.
    const yaml = twoDomainWorld().replace('network: { latency: 20ms }', 'network: { latency: 20ms }\ndefaults: { limits: { hops: 1 } }');
    const { report } = run(yaml);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.4.6');
    expect(bob.bounce?.reportingMta).toBe('mx1.example.org');
  });
});

describe('crashes (docs/delivery.md R1)', () => {
  it('the sender’s MTA goes down while holding deferred mail and comes back: nothing is lost', () => {
    const { report } = run(
      twoDomainWorld({
        faults:
          '\n  - { at: 0s, down: mx1.example.org, until: 3h }\n  - { at: 0s, down: mx2.example.org, until: 3h }\n  - { at: 30m, down: smtp.sender.net, until: 1h }',
      }),
    );
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('delivered');
    expect(bob.deliveries).toHaveLength(1);
    expect(bob.deliveries[0]!.atMs).toBeGreaterThan(3 * 3_600_000);
    expect(report.invariants.every((i) => i.passed)).toBe(true);
  });

  it('a receiving MTA that crashes right after committing still delivers after it boots', () => {
    const { report } = run(twoDomainWorld({ faults: '\n  - { at: 60s, drop: { host: mx1.example.org, after: dot, times: 1 } }\n  - { at: 61s, down: mx1.example.org, until: 1h }' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.deliveries.length).toBeGreaterThanOrEqual(1);
    expect(report.invariants.find((i) => i.name === 'no-loss')?.passed).toBe(true);
  });
});
