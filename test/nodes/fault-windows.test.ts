/**
 * Fault windows compose (docs/reference.md §6): a fault is an interval [at, until), and what a host,
 * link or name looks like at any time is computed from the windows in force then — never toggled on
 * and off by their edges. Concrete cases that the toggling code got wrong, then a property: for random
 * sets of windows, the state probed at random times equals the composition computed from the windows
 * directly (the model below), for `down`/`up`, `latency`, `flaky`, `dns-set` and `refuse`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SmtpFaultBook } from '../../src/nodes/smtp/fault-book.js';
import { World } from '../../src/nodes/world.js';
import { RandomStream } from '../../src/sim/random.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';

const hosts = ['mx1.example.org', 'mx2.example.org'] as const;
const minuteMs = 60_000;

function scenarioWith(faults: unknown[]) {
  return {
    name: 'fault windows',
    until: '1d',
    network: { latency: '10ms' },
    dns: { 'example.org': { mx: ['10 mx1.example.org', '20 mx2.example.org'] } },
    hosts: {
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
      'mx2.example.org': { roles: ['mta'], 'relay-for': ['example.org'] },
    },
    faults,
  };
}

/** Runs the world and reads `probe` at each time (ms); probes sit between fault edges (whole seconds). */
function probeAt<T>(faults: unknown[], timesMs: readonly number[], probe: (world: World) => T): T[] {
  const world = new World(validateScenarioObject(scenarioWith(faults)));
  const seen: T[] = [];
  for (const atMs of timesMs) world.sim.at(atMs, () => seen.push(probe(world)));
  world.run();
  return seen;
}

const isUp = (host: string) => (world: World) => world.net.host(host).isUp;

/** The zone's MX records for example.org as "preference exchange", comma-separated. */
const mxOf = (world: World) =>
  (world.dns.zone.get('example.org')?.records ?? [])
    .flatMap((r) => (r.type === 'MX' ? [`${r.preference} ${r.exchange}`] : []))
    .join(',');

/** A fixed latency in ms (the scenarios here only write fixed ones). */
const fixedMs = (world: World) => {
  const spec = world.net.linkLatency(hosts[0], hosts[1]);
  return spec.minMs === spec.maxMs ? spec.minMs : Number.NaN;
};

describe('fault windows compose (concrete cases)', () => {
  it('back-to-back down windows keep the host down across the seam', () => {
    const faults = [
      { at: '0s', down: hosts[0], until: '1h' },
      { at: '1h', down: hosts[0], until: '2h' },
    ];
    expect(probeAt(faults, [30 * minuteMs, 80 * minuteMs, 121 * minuteMs], isUp(hosts[0]))).toEqual([false, false, true]);
  });

  it('a down window inside another does not end the outer one', () => {
    const faults = [
      { at: '0s', down: hosts[0], until: '2h' },
      { at: '30m', down: hosts[0], until: '1h' },
    ];
    expect(probeAt(faults, [45 * minuteMs, 90 * minuteMs, 150 * minuteMs], isUp(hosts[0]))).toEqual([false, false, true]);
  });

  it('mail sent while back-to-back windows hold the primary down is not accepted by it (the report agrees)', async () => {
    const scenario = {
      ...scenarioWith([
        { at: '0s', down: hosts[0], until: '1h' },
        { at: '1h', down: hosts[0], until: '2h' },
      ]),
      dns: { 'example.org': { mx: ['10 mx1.example.org'] }, 'sender.net': { mx: ['10 smtp.sender.net'] } },
      hosts: {
        'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'pw' } },
        'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
      },
      traffic: [{ at: '70m', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'x' } }],
    };
    const recipient = (await runScenario(scenario)).messages[0]!.recipients[0]!;
    expect(recipient.status).toBe('delivered');
    expect(recipient.deliveries[0]!.atMs).toBeGreaterThanOrEqual(120 * minuteMs);
  });

  it('an open-ended down lasts until an up; an up inside a bounded down boots the host there (the latest window wins)', () => {
    expect(probeAt([{ at: '0s', down: hosts[0] }, { at: '1h', up: hosts[0] }], [30 * minuteMs, 90 * minuteMs], isUp(hosts[0]))).toEqual([false, true]);
    expect(probeAt([{ at: '0s', down: hosts[0], until: '2h' }, { at: '1h', up: hosts[0] }], [30 * minuteMs, 90 * minuteMs, 150 * minuteMs], isUp(hosts[0]))).toEqual([false, true, true]);
  });

  it('overlapping latency windows: the latest in force wins, then the one before it', () => {
    const nested = [
      { at: '0s', until: '2h', latency: { between: [...hosts], value: '2s' } },
      { at: '30m', until: '1h', latency: { between: [...hosts], value: '5s' } },
    ];
    expect(probeAt(nested, [10 * minuteMs, 45 * minuteMs, 90 * minuteMs, 150 * minuteMs], fixedMs)).toEqual([2000, 5000, 2000, 10]);
    // Crossing windows: when the first ends, the second is still in force.
    const crossing = [
      { at: '0s', until: '1h', latency: { between: [...hosts], value: '2s' } },
      { at: '30m', until: '2h', latency: { between: [...hosts], value: '5s' } },
    ];
    expect(probeAt(crossing, [10 * minuteMs, 45 * minuteMs, 90 * minuteMs, 150 * minuteMs], fixedMs)).toEqual([2000, 5000, 5000, 10]);
  });

  it('overlapping flaky windows are independent causes: 1 − (1 − p₁)(1 − p₂), then the one left', () => {
    const faults = [
      { at: '0s', until: '2h', flaky: hosts[0], probability: 0.5 },
      { at: '30m', until: '1h', flaky: hosts[0], probability: 0.2 },
    ];
    const flaky = (world: World) => world.net.host(hosts[0]).flakyProbability;
    expect(probeAt(faults, [45 * minuteMs, 90 * minuteMs, 150 * minuteMs], flaky)).toEqual([0.6, 0.5, 0]);
  });

  it('overlapping dns-set windows: the latest in force answers, and the zone comes back after the last', () => {
    const nested = [
      { at: '0s', until: '2h', 'dns-set': { 'example.org': { mx: ['5 mx2.example.org'] } } },
      { at: '30m', until: '1h', 'dns-set': { 'example.org': { mx: ['7 mx1.example.org'] } } },
    ];
    expect(probeAt(nested, [45 * minuteMs, 90 * minuteMs, 150 * minuteMs], mxOf)).toEqual(['7 mx1.example.org', '5 mx2.example.org', '10 mx1.example.org,20 mx2.example.org']);
    const crossing = [
      { at: '0s', until: '1h', 'dns-set': { 'example.org': { mx: ['5 mx2.example.org'] } } },
      { at: '30m', until: '2h', 'dns-set': { 'example.org': { mx: ['7 mx1.example.org'] } } },
    ];
    expect(probeAt(crossing, [45 * minuteMs, 90 * minuteMs, 150 * minuteMs], mxOf)).toEqual(['7 mx1.example.org', '7 mx1.example.org', '10 mx1.example.org,20 mx2.example.org']);
  });
});

describe('scripted reply faults at one stage', () => {
  it('the latest in force wins; when its times are used up or it ends, the one before it answers', () => {
    const book = new SmtpFaultBook(new RandomStream('1', 'test'));
    const session = {};
    const removeFirst = book.addReply('rcpt', 451, '4.3.0 first', null, null);
    const removeSecond = book.addReply('rcpt', 550, '5.7.1 second', 1, null);
    expect(book.replyAt('rcpt', session)?.code).toBe(550);
    expect(book.replyAt('rcpt', session)?.code).toBe(451); // the second's one time is used up
    const removeThird = book.addReply('rcpt', 452, '4.3.1 third', null, null);
    expect(book.replyAt('rcpt', session)?.code).toBe(452);
    removeThird();
    expect(book.replyAt('rcpt', session)?.code).toBe(451);
    removeFirst();
    removeSecond();
    expect(book.replyAt('rcpt', session)).toBeNull();
  });
});

// ---- the property --------------------------------------------------------------------------------

type Window = { atS: number; lengthS: number | null } & (
  | { kind: 'down' | 'up'; host: 0 | 1 }
  | { kind: 'latency'; valueMs: number }
  | { kind: 'flaky'; host: 0 | 1; tenths: number }
  | { kind: 'dns-set'; preference: number }
  | { kind: 'refuse'; host: 0 | 1 }
);

const hostIndex = fc.constantFrom(0 as const, 1 as const);
const windowArbitrary: fc.Arbitrary<Window> = fc
  .record({
    atS: fc.integer({ min: 0, max: 40 }),
    lengthS: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null, freq: 4 }),
    action: fc.oneof(
      fc.record({ kind: fc.constantFrom('down' as const, 'up' as const), host: hostIndex }),
      fc.record({ kind: fc.constant('latency' as const), valueMs: fc.integer({ min: 1, max: 9 }).map((n) => n * 100) }),
      fc.record({ kind: fc.constant('flaky' as const), host: hostIndex, tenths: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ kind: fc.constant('dns-set' as const), preference: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ kind: fc.constant('refuse' as const), host: hostIndex }),
    ),
  })
  .map(({ atS, lengthS, action }) => ({ atS, lengthS, ...action }) as Window);

function toFault(w: Window): Record<string, unknown> {
  const timing = { at: `${w.atS}s`, ...(w.lengthS === null ? {} : { until: `${w.atS + w.lengthS}s` }) };
  switch (w.kind) {
    case 'down':
    case 'up':
      return { ...timing, [w.kind]: hosts[w.host] };
    case 'latency':
      return { ...timing, latency: { between: [...hosts], value: `${w.valueMs}ms` } };
    case 'flaky':
      return { ...timing, flaky: hosts[w.host], probability: w.tenths / 10 };
    case 'dns-set':
      return { ...timing, 'dns-set': { 'example.org': { mx: [`${w.preference} mx2.example.org`] } } };
    case 'refuse':
      return { ...timing, refuse: hosts[w.host] };
  }
}

interface Observed {
  up: boolean[];
  latencyMs: number;
  flaky: number[];
  mx: string;
  refused: boolean[];
}

/** The model: the windows covering time t, in the order they opened (start time, then file order). */
function expected(windows: readonly Window[], tMs: number): Observed {
  const covering = windows
    .map((w, index) => ({ w, index }))
    .filter(({ w }) => w.atS * 1000 <= tMs && (w.lengthS === null || tMs < (w.atS + w.lengthS) * 1000))
    .sort((a, b) => a.w.atS - b.w.atS || a.index - b.index)
    .map(({ w }) => w);
  const latest = <K extends Window['kind']>(kinds: readonly K[], host?: 0 | 1) =>
    covering.filter((w): w is Extract<Window, { kind: K }> => (kinds as readonly string[]).includes(w.kind) && (host === undefined || !('host' in w) || w.host === host)).at(-1);
  const flaky = ([0, 1] as const).map((host) => {
    const ps = covering.filter((w): w is Extract<Window, { kind: 'flaky' }> => w.kind === 'flaky' && w.host === host).map((w) => w.tenths / 10);
    return ps.length === 1 ? ps[0]! : 1 - ps.reduce((survive, p) => survive * (1 - p), 1);
  });
  const dns = latest(['dns-set']);
  return {
    up: ([0, 1] as const).map((host) => (latest(['down', 'up'], host)?.kind ?? 'up') === 'up'),
    latencyMs: latest(['latency'])?.valueMs ?? 10,
    flaky,
    mx: dns === undefined ? '10 mx1.example.org,20 mx2.example.org' : `${dns.preference} mx2.example.org`,
    refused: ([0, 1] as const).map((host) => covering.some((w) => w.kind === 'refuse' && w.host === host)),
  };
}

function observe(world: World): Observed {
  return {
    up: hosts.map((h) => world.net.host(h).isUp),
    latencyMs: fixedMs(world),
    flaky: hosts.map((h) => world.net.host(h).flakyProbability),
    mx: mxOf(world),
    refused: hosts.map((h) => world.net.host(h).refusedPorts.has(25)),
  };
}

describe('property: the state at any time is the composition of the windows in force', () => {
  it('down/up, latency, flaky, dns-set and refuse', () => {
    fc.assert(
      fc.property(fc.array(windowArbitrary, { minLength: 1, maxLength: 8 }), fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 12 }), (windows, probesS) => {
        const timesMs = [...probesS].sort((a, b) => a - b).map((s) => s * 1000 + 500);
        const seen = probeAt(windows.map(toFault), timesMs, observe);
        timesMs.forEach((tMs, i) => {
          const want = expected(windows, tMs);
          const got = seen[i]!;
          expect({ ...got, flaky: got.flaky.map((p) => Number(p.toFixed(9))) }, `at ${tMs} ms`).toEqual({ ...want, flaky: want.flaky.map((p) => Number(p.toFixed(9))) });
        });
      }),
      { numRuns: 150 },
    );
  });
});
