/**
 * The world and fault-schedule shapes each property runs over: the widest world in which the
 * property's premise holds (e.g. Retry: only temporary failures), so every generated case tests it.
 */
import fc from 'fast-check';
import { type FaultKindName, faultKindNames } from '../../src/testing/arbitraries/schedule.js';
import { worldCase } from '../../src/testing/arbitraries/world-case.js';
import { worldWithFaults } from '../../src/testing/arbitraries/world-faults.js';
import type { WorldCase } from '../../src/testing/arbitraries/world-types.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const temporaryKinds: FaultKindName[] = ['down', 'refuse', 'partition', 'latency', 'dns', 'reply', 'drop', 'flaky'];

/** No loss, at-least-once, determinism: everything, crashes and DNS changes included. */
export const anyWorld = (replyCodes?: readonly number[]): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { unknownUsers: true, smarthost: true, loop: true, ghostSender: true, untilMs: dayMs },
    { kinds: faultKindNames, horizonMs: 6 * hourMs, ...(replyCodes ? { replyCodes } : {}) },
  );

/** Retry: only temporary failures — no unknown users, no null MX, no loops, 4xx replies, SERVFAIL/timeouts. */
export const temporaryWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { domainKinds: ['mx', 'implicit'], smarthost: true, untilMs: 2 * dayMs },
    { kinds: temporaryKinds, horizonMs: 6 * hourMs, replyCodes: [421, 450, 451, 452], dnsRcodes: ['servfail', 'timeout'] },
  );

/**
 * Temporary failures under the Exim schedule (docs/delivery.md R9): the same worlds as `temporaryWorld`,
 * with rules short enough that a 2-day run reaches every item and the final cutoff.
 */
export const eximRules = ['F,30m,5m; G,4h,10m,1.5; F,12h,1h', 'F,1h,10m; F,6h,30m', 'G,8h,5m,2'] as const;
export const eximTemporaryWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { domainKinds: ['mx', 'implicit'], smarthost: true, untilMs: 2 * dayMs, eximRules },
    { kinds: temporaryKinds, horizonMs: 6 * hourMs, replyCodes: [421, 450, 451, 452], dnsRcodes: ['servfail', 'timeout'] },
  );

/** Failover ordering: any world without DNS changes (the preferences stay those of the zone). */
export const orderingWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { unknownUsers: true, smarthost: true, loop: true, untilMs: dayMs },
    { kinds: temporaryKinds.concat(['up']), horizonMs: 6 * hourMs },
  );

/** Failover "a reachable accepting MX": faults never touch the sender or the final hosts. */
export const reachableWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { domainKinds: ['mx', 'implicit'], untilMs: dayMs },
    {
      kinds: ['down', 'refuse', 'partition', 'latency', 'reply', 'drop', 'flaky'],
      horizonMs: 6 * hourMs,
      spare: (info) => [info.senderHost, ...info.domains.flatMap((d) => (d.finalHost ? [d.finalHost] : []))],
    },
  );

/** Bounce: permanent failures (unknown users, null MX, 5xx replies, loops, a DSN that fails) without duplicates. */
export const bounceWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { unknownUsers: true, smarthost: true, loop: true, ghostSender: true, untilMs: dayMs },
    { kinds: ['reply', 'refuse', 'flaky'], horizonMs: 6 * hourMs, replyCodes: [450, 451, 550, 554], stages: ['mail', 'rcpt', 'data', 'dot'] },
  );

/** Eventually: every fault is undone by `healedAtMs`; the run then lasts one maximal backoff, a scan and slack. */
export const healedAtMs = 2 * hourMs;
/** Maximal backoff (4000 s) + a scan (300 s) + two attempts' worth of connect timeouts and DNS (≤ 10 min). */
export const healBoundMs = 4_000_000 + 300_000 + 600_000;
export const healingWorld = (): fc.Arbitrary<WorldCase> =>
  worldWithFaults(
    { unknownUsers: true, smarthost: true, loop: true, untilMs: healedAtMs + healBoundMs },
    { kinds: temporaryKinds, horizonMs: healedAtMs, healByMs: healedAtMs },
  );

/** The ways a host can fail before MAIL FROM (R6): refused, down, a 4xx/5xx greeting or EHLO reply, a drop. */
const preTransactionFailures: ReadonlyArray<(host: string) => Record<string, unknown>> = [
  (host) => ({ refuse: host }),
  (host) => ({ down: host }),
  (host) => ({ reply: { host, on: 'connect', code: 421, text: '4.3.2 Service not available' } }),
  (host) => ({ reply: { host, on: 'connect', code: 554, text: '5.7.1 No SMTP service here' } }),
  (host) => ({ reply: { host, on: 'ehlo', code: 451, text: '4.3.0 Try later' } }),
  (host) => ({ reply: { host, on: 'ehlo', code: 550, text: '5.7.1 Not you' } }),
  (host) => ({ drop: { host, after: 'connect' } }),
  (host) => ({ drop: { host, after: 'ehlo' } }),
];

/**
 * Pre-transaction failover: MX domains whose best host (the final one) fails before MAIL FROM for a
 * while around the sends, with its backups untouched — the case where the next MX is owed at once.
 */
export const preTransactionWorld = (): fc.Arbitrary<WorldCase> =>
  worldCase({ domainKinds: ['mx'], untilMs: dayMs }).chain((w) => {
    const primaries = w.info.domains.filter((d) => d.backups.length > 0 && d.finalHost !== null).map((d) => d.finalHost!);
    if (primaries.length === 0) return fc.constant(w);
    const fault = fc
      .tuple(fc.constantFrom(...primaries), fc.constantFrom(...preTransactionFailures), fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 60, max: 3600 }))
      .map(([host, failure, atS, lengthS]) => ({ at: `${atS}s`, until: `${atS + lengthS}s`, ...failure(host) }));
    return fc.array(fault, { minLength: 1, maxLength: 3 }).map((faults) => ({ info: w.info, scenario: { ...w.scenario, faults } }));
  });
