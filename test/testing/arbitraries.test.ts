/**
 * The arbitraries of mailsim/testing (docs/testing.md "Arbitraries"): whatever they draw validates as
 * a scenario; they shrink towards fewer faults, hosts and sends; their options hold; they compose;
 * and a broken scenario is refused with the loader's located message when the arbitrary is made.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { faultSchedule, type ScenarioObject, scenarioObjectOf, traffic, world } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/load.js';

const backupMx = 'scenarios/backup-mx.yaml';
const ownFaults = (scenarioObjectOf(backupMx).faults as unknown[]).length;
const ownTraffic = (scenarioObjectOf(backupMx).traffic as unknown[]).length;

const faultsOf = (s: ScenarioObject) => s.faults as Array<Record<string, unknown>>;
const trafficOf = (s: ScenarioObject) => s.traffic as Array<Record<string, unknown>>;
const hostsOf = (s: ScenarioObject) => Object.keys(s.hosts as Record<string, unknown>);

/** Every draw validates (the loader throws a ScenarioError otherwise). */
function allValidate(arbitrary: fc.Arbitrary<ScenarioObject>, numRuns = 60): void {
  fc.assert(
    fc.property(arbitrary, (scenario) => {
      validateScenarioObject(scenario, '<drawn>');
    }),
    { numRuns, seed: 11 },
  );
}

/** The shrunk counterexample of a property that fails whenever `failing` holds. */
function shrunk(arbitrary: fc.Arbitrary<ScenarioObject>, failing: (s: ScenarioObject) => boolean): ScenarioObject {
  const details = fc.check(fc.property(arbitrary, (s) => !failing(s)), { numRuns: 300, seed: 5 });
  expect(details.failed).toBe(true);
  return details.counterexample![0];
}

describe('faultSchedule', () => {
  it('draws fault schedules over a scenario file that always validate, the scenario\'s own faults first', () => {
    allValidate(faultSchedule(backupMx));
    for (const s of fc.sample(faultSchedule(backupMx), { numRuns: 30, seed: 3 })) {
      expect(faultsOf(s).slice(0, ownFaults)).toEqual(scenarioObjectOf(backupMx).faults);
    }
  });

  it('draws every fault kind, outages and chance: included, and only the kinds asked for', () => {
    const seen = new Set<string>();
    let chances = 0;
    for (const s of fc.sample(faultSchedule(backupMx, { maxFaults: 8 }), { numRuns: 400, seed: 1 })) {
      for (const fault of faultsOf(s).slice(ownFaults)) {
        for (const key of Object.keys(fault)) if (!['at', 'until', 'chance', 'probability'].includes(key)) seen.add(key); // probability: flaky's companion key
        if (fault.chance !== undefined) chances++;
      }
    }
    expect([...seen].sort()).toEqual(['corrupt', 'delay', 'dns', 'dns-set', 'down', 'drop', 'flaky', 'greylist', 'latency', 'outages', 'partition', 'rate-limit', 'refuse', 'reply', 'tls-off', 'up']);
    expect(chances).toBeGreaterThan(0);
    const only = fc.sample(faultSchedule(backupMx, { kinds: ['outages', 'latency'], chance: 0 }), { numRuns: 50, seed: 2 });
    for (const fault of only.flatMap((s) => faultsOf(s).slice(ownFaults))) {
      expect('outages' in fault || 'latency' in fault).toBe(true);
      expect(fault.chance).toBeUndefined();
    }
  });

  it('keeps to maxFaults, the window, the hosts asked for and the weights', () => {
    const arbitrary = faultSchedule(backupMx, { kinds: ['down', 'refuse'], maxFaults: 2, window: { from: '10m', to: '1h' }, spare: ['smtp.sender.net'], weights: { refuse: 0 } });
    allValidate(arbitrary);
    for (const s of fc.sample(arbitrary, { numRuns: 80, seed: 4 })) {
      const drawn = faultsOf(s).slice(ownFaults);
      expect(drawn.length).toBeLessThanOrEqual(2);
      for (const fault of drawn) {
        expect(Object.keys(fault).filter((k) => k !== 'at' && k !== 'until' && k !== 'chance')).toEqual(['down']);
        expect(fault.down).not.toBe('smtp.sender.net');
        const atMs = validateScenarioObject({ ...s, faults: [fault] }).faults[0]!.atMs;
        expect(atMs).toBeGreaterThanOrEqual(600_000);
        expect(atMs).toBeLessThanOrEqual(3_600_000);
      }
    }
    for (const s of fc.sample(faultSchedule(backupMx, { kinds: ['down'], hosts: ['mx2.example.org'] }), { numRuns: 30, seed: 4 })) {
      for (const fault of faultsOf(s).slice(ownFaults)) expect(fault.down).toBe('mx2.example.org');
    }
  });

  it('shrinks a property that fails whenever a fault is drawn to exactly one fault', () => {
    const counterexample = shrunk(faultSchedule(backupMx), (s) => faultsOf(s).length > ownFaults);
    expect(faultsOf(counterexample).length).toBe(ownFaults + 1);
  });

  it('refuses bad options by name, before any draw', () => {
    expect(() => faultSchedule(backupMx, { kinds: ['melt' as 'down'] })).toThrow(/unknown fault kind melt/);
    expect(() => faultSchedule(backupMx, { hosts: ['mx9.example.org'] })).toThrow(/hosts names mx9\.example\.org, not a host/);
    expect(() => faultSchedule(backupMx, { window: { from: '8d' } })).toThrow(/window starts/);
    expect(() => faultSchedule(backupMx, { window: { to: 'soon' } })).toThrow(/window\.to.*not a duration/);
  });
});

describe('world', () => {
  it('draws worlds that always validate, with MX sets, ties, backups, implicit and null MX, relays and loops', () => {
    const arbitrary = world({ unknownUsers: true, smarthost: true, loop: true, ghostSender: true });
    allValidate(arbitrary, 80);
    const features = { tie: false, backup: false, implicit: false, nullMx: false, relay: false, loop: false };
    for (const s of fc.sample(arbitrary, { numRuns: 200, seed: 9 })) {
      for (const [name, records] of Object.entries(s.dns as Record<string, Record<string, unknown>>)) {
        const mx = (records.mx as string[] | undefined) ?? [];
        const preferences = mx.map((r) => r.split(' ')[0]);
        if (new Set(preferences).size < preferences.length) features.tie = true;
        if (mx.includes('0 .')) features.nullMx = true;
        if (records.a !== undefined && /^d\d\.test$/.test(name)) features.implicit = true;
      }
      for (const host of Object.values(s.hosts as Record<string, Record<string, unknown>>)) {
        if (host['relay-for'] !== undefined) features.backup = true;
        if (host.routes !== undefined) features.relay = true;
      }
      if ('loopa.test' in (s.hosts as object)) features.loop = true;
    }
    expect(features).toEqual({ tie: true, backup: true, implicit: true, nullMx: true, relay: true, loop: true });
  });

  it('shrinks towards fewer hosts: a property failing whenever there are three hosts or more shrinks to exactly three', () => {
    const counterexample = shrunk(world(), (s) => hostsOf(s).length >= 3);
    expect(hostsOf(counterexample).length).toBe(3);
    expect(trafficOf(counterexample).length).toBe(1);
  });

  it('composes: faultSchedule(world()) validates and shrinks to one fault', () => {
    const arbitrary = faultSchedule(world(), { maxFaults: 4 });
    allValidate(arbitrary, 40);
    expect(faultsOf(shrunk(arbitrary, (s) => faultsOf(s).length > 0)).length).toBe(1);
  });
});

describe('traffic', () => {
  it('draws sends from the scenario\'s users to its mailboxes that always validate, after its own traffic', () => {
    allValidate(traffic(backupMx, { unknownUsers: true, maxSends: 5 }));
    for (const s of fc.sample(traffic(backupMx, { unknownUsers: true }), { numRuns: 60, seed: 8 })) {
      expect(trafficOf(s).slice(0, ownTraffic)).toEqual(scenarioObjectOf(backupMx).traffic);
      for (const item of trafficOf(s).slice(ownTraffic)) {
        const send = item.send as { from: string; to: string[] };
        expect(send.from).toBe('alice@sender.net');
        for (const to of send.to) expect(['bob@example.org', 'alice@sender.net', 'nobody@example.org', 'nobody@sender.net']).toContain(to);
      }
    }
  });

  it('shrinks a property that fails with two drawn sends or more to exactly two, each to one recipient', () => {
    const counterexample = shrunk(traffic(backupMx, { maxSends: 6 }), (s) => trafficOf(s).length >= ownTraffic + 2);
    const drawn = trafficOf(counterexample).slice(ownTraffic);
    expect(drawn.length).toBe(2);
    for (const item of drawn) expect((item.send as { to: string[] }).to.length).toBe(1);
  });

  it('composes: faultSchedule(traffic(file)) validates, keeps both parts, and shrinks to one fault', () => {
    const arbitrary = faultSchedule(traffic(backupMx));
    allValidate(arbitrary, 40);
    const counterexample = shrunk(arbitrary, (s) => faultsOf(s).length > ownFaults);
    expect(faultsOf(counterexample).length).toBe(ownFaults + 1);
    expect(trafficOf(counterexample).length).toBe(ownTraffic + 1);
  });
});

describe('bad input: a scenario that fails validation is refused when the arbitrary is made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsim-arb-'));
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'name: broken\nuntil: 1h\nhosts:\n  mx.example.org:\n    roles: [mta, teleporter]\n');

  it('a file: the located message (file:line:column)', () => {
    for (const make of [() => faultSchedule(broken), () => traffic(broken)]) {
      expect(make).toThrow(expect.objectContaining({ name: 'ScenarioError', message: expect.stringMatching(/broken\.yaml:5:\d+.*teleporter/s) }));
    }
  });

  it('an object: the key path of the problem', () => {
    for (const make of [() => faultSchedule({ name: 'x', until: '1h', hosts: { a: { roles: ['mta'] } }, faults: [{ at: '1m', down: 'b' }] }), () => traffic({ name: 'x', hosts: 3 })]) {
      expect(make).toThrow(expect.objectContaining({ name: 'ScenarioError' }));
    }
    expect(() => faultSchedule({ name: 'x', until: '1h', hosts: { a: { roles: ['mta'] } }, faults: [{ at: '1m', down: 'b' }] })).toThrow(/faults\[0\]\.down|faults\.0\.down/);
  });

  it('a missing file, and a value that is no scenario', () => {
    expect(() => faultSchedule(join(dir, 'absent.yaml'))).toThrow(/no such file/);
    expect(() => traffic(42 as unknown as string)).toThrow(TypeError);
  });
});
