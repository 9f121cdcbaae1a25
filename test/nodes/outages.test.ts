/**
 * The `outages` fault process (docs/reference.md §6): while in force, the host fails and recovers at
 * random with mean up-time `mtbf` and mean down-time `mttr`, from the fault's own stream. Over a long
 * window the spells' means match the parameters; the process stops at `until` with the host up; the
 * same seed gives the same spells, another seed others; and mail still gets through by retries.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/nodes/world.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { recipient } from './world-harness.js';

const hour = 3_600_000;

function run(outages: Record<string, unknown>, seed = 1) {
  return runScenarioWorld(
    validateScenarioObject({
      name: 'outages',
      seed,
      until: '31d',
      dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
      hosts: {
        'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' } },
        'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
      },
      faults: [{ at: '0s', until: '30d', outages: { host: 'mx.example.org', ...outages } }],
      traffic: [{ at: '1h', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'hi', count: 20, every: '1h' } }],
    }),
    { keepTrace: true },
  );
}

/** The down spells of a host (mx.example.org unless named): [start, end) in ms, from the network's fault trace. */
function spells(world: World, host = 'mx.example.org'): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let downAt: number | null = null;
  for (const event of world.sim.trace.events) {
    if (event.kind !== 'net.fault' || event.host !== host) continue;
    if (event.action === 'down') downAt = event.t as number;
    else if (event.action === 'up' && downAt !== null) {
      out.push([downAt, event.t as number]);
      downAt = null;
    }
  }
  expect(downAt, 'the host is up again when the fault ends').toBeNull();
  return out;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('outages', () => {
  it.each(['exponential', 'lognormal'])('%s: over 30 days the mean down-time is near mttr and the mean up-time near mtbf', (distribution) => {
    const { world } = run({ mtbf: '6h', mttr: '30m', distribution });
    const down = spells(world);
    expect(down.length).toBeGreaterThan(80); // ~30 d / 6.5 h ≈ 110
    expect(mean(down.map(([a, b]) => b - a)) / (0.5 * hour)).toBeGreaterThan(0.7);
    expect(mean(down.map(([a, b]) => b - a)) / (0.5 * hour)).toBeLessThan(1.3);
    const ups = down.slice(1).map(([start], i) => start - down[i]![1]);
    expect(mean(ups) / (6 * hour)).toBeGreaterThan(0.7);
    expect(mean(ups) / (6 * hour)).toBeLessThan(1.3);
    expect(Math.max(...down.map(([, end]) => end))).toBeLessThanOrEqual(30 * 24 * hour);
  });

  it('the same seed gives the same spells, another seed others; every message is delivered by retries', () => {
    const a = run({ mtbf: '3h', mttr: '1h' }, 7);
    const b = run({ mtbf: '3h', mttr: '1h' }, 7);
    const c = run({ mtbf: '3h', mttr: '1h' }, 8);
    expect(spells(a.world)).toEqual(spells(b.world));
    expect(spells(a.world)).not.toEqual(spells(c.world));
    expect(a.report.traceDigest).toBe(b.report.traceDigest);
    for (let i = 0; i < 20; i++) expect(recipient(a.report, 'bob@example.org', i).status).toBe('delivered');
  });

  it('a list of hosts fails and recovers together: every MX of the domain, the same spells (a correlated episode)', () => {
    const { world, report } = runScenarioWorld(
      validateScenarioObject({
        name: 'correlated outages',
        until: '10d',
        dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx1.example.org', '20 mx2.example.org'] } },
        hosts: {
          'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' } },
          'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
          'mx2.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
        },
        faults: [{ at: '0s', until: '9d', outages: { host: ['mx1.example.org', 'mx2.example.org'], mtbf: '4h', mttr: '2h' } }],
        traffic: [{ at: '1h', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'hi' } }],
      }),
      { keepTrace: true },
    );
    const first = spells(world, 'mx1.example.org');
    expect(first.length).toBeGreaterThan(10);
    expect(spells(world, 'mx2.example.org')).toEqual(first);
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
  });
});
