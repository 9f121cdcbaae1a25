/**
 * Every fault kind of the registry (src/faults/index.ts), through every part a kind declares: what its
 * arbitrary draws is a valid scenario fault, normalises to an action of that kind, names only hosts
 * the scenario has, describes itself in one line, switches on through the `FaultTarget` and, undone,
 * reverts every change it made — and a world runs with it from `at` to `until`.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { universeOf } from '../../src/testing/arbitraries/universe.js';
import { faultKindNames, faultKinds, kindOf } from '../../src/faults/index.js';
import type { FaultTarget, PlainFault } from '../../src/faults/kind.js';
import { World } from '../../src/nodes/world.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { RandomStream } from '../../src/sim/random.js';

const base = parse(readFileSync(join(import.meta.dirname, '..', '..', 'scenarios', 'two-mx.yaml'), 'utf8')) as Record<string, unknown>;
const scenario = validateScenarioObject(base, 'two-mx.yaml');
const universe = universeOf(scenario, faultKindNames);

/** A FaultTarget that records what is switched on and off: each change gets an id, each undo names one. */
function recordingTarget() {
  const on: string[] = [];
  const off: string[] = [];
  /** Timers a process kind set, fired in order by `advance` (the test's virtual clock). */
  const timers: Array<{ delayMs: number; fn: () => void; cancelled: boolean }> = [];
  const advance = (steps: number) => {
    for (let n = 0; n < steps; n++) {
      const timer = timers.shift();
      if (timer === undefined) return;
      if (!timer.cancelled) timer.fn();
    }
  };
  let next = 0;
  const change = (what: string) => {
    const id = `${what}#${next++}`;
    on.push(id);
    let undone = false;
    const undo = () => {
      if (undone) throw new Error(`${id} undone twice`);
      undone = true;
      off.push(id);
    };
    return { undo, heal: undo };
  };
  const target: FaultTarget = {
    power: (host, state) => change(`power ${host} ${state}`).undo,
    net: {
      refuse: (host, port) => change(`refuse ${host}:${port}`),
      partition: (groups) => change(`partition ${JSON.stringify(groups)}`),
      setLinkLatency: (a, b) => change(`latency ${a}-${b}`),
      setFlaky: (host) => change(`flaky ${host}`),
    },
    dns: {
      setFault: (fault) => change(`dns ${fault.name}`),
      replace: (name) => change(`dns-set ${name}`),
    },
    random: () => new RandomStream('registry-test', 'fault:0'),
    after: (delayMs, fn) => {
      const timer = { delayMs, fn, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    smtp: (host) => ({
      addReply: (stage) => change(`reply ${host} ${stage}`).undo,
      addDrop: (stage) => change(`drop ${host} ${stage}`).undo,
      addCorrupt: (mode) => change(`corrupt ${host} ${mode}`).undo,
      addDelay: (stage, byMs) => change(`delay ${host} ${stage} ${byMs}`).undo,
      addRateLimit: (limit) => change(`rate-limit ${host} ${limit.messages}`).undo,
      addGreylist: (delayMs) => change(`greylist ${host} ${delayMs}`).undo,
      addTlsOff: () => change(`tls-off ${host}`).undo,
    }),
  };
  return { target, on, off, timers, advance };
}

describe('the fault registry', () => {
  it('lists each kind once, under the name its own key has', () => {
    expect(new Set(faultKindNames).size).toBe(faultKinds.length);
    for (const kind of faultKinds) expect(Object.keys(kind.keys)[0]).toBe(kind.name);
  });

  it('docs/reference.md names every kind: a §6 row for its key, and the §13 `--faults` list', () => {
    const reference = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'reference.md'), 'utf8');
    for (const name of faultKindNames) expect(reference, name).toContain(`| \`${name}\` |`);
    const listed = /\| `--faults LIST` \|[^|]*\|[^`]*`([^`]+)`/.exec(reference)?.[1];
    expect(listed?.split(',')).toEqual([...faultKindNames]);
  });

  it('the test universe can draw every kind', () => {
    for (const kind of faultKinds) expect(kind.draw.available(universe), kind.name).toBe(true);
  });

  for (const kind of faultKinds) {
    it(`${kind.name}: a drawn fault validates, normalises, checks, describes, applies and undoes`, () => {
      fc.assert(
        fc.property(kind.draw.arbitrary(universe, fc), (drawn: PlainFault) => {
          const fault = { at: '1m', until: '30m', ...drawn };
          const loaded = validateScenarioObject({ ...base, faults: [fault] }, `${kind.name}.yaml`);
          const action = loaded.faults[0]!.action;
          expect(action.kind).toBe(kind.name);
          expect(kindOf(action)).toBe(kind);
          const line = kind.describe(action);
          expect(line).toMatch(/\S/);
          expect(line).not.toMatch(/[\r\n]|undefined|\[object/);

          const { target, on, off, timers, advance } = recordingTarget();
          const undo = kind.apply(action, target);
          advance(3); // a process kind changes things on its own timeline: let it run a few steps
          expect(on.length, 'apply changes something').toBeGreaterThan(0);
          expect(undo, 'a kind that changes something can be undone (until)').not.toBeNull();
          undo?.();
          expect([...off].sort(), 'undo reverts every change apply made').toEqual([...on].sort());
          expect(timers.filter((timer) => !timer.cancelled), 'undo leaves no timer of its process running').toEqual([]);
        }),
        { numRuns: 40 },
      );
    });

    it(`${kind.name}: a world runs with one from at to until, and traces it`, () => {
      const [drawn] = fc.sample(kind.draw.arbitrary(universe, fc), { numRuns: 1, seed: 7 });
      const loaded = validateScenarioObject({ ...base, faults: [{ at: '1s', until: '20m', ...drawn }] }, `${kind.name}.yaml`);
      const world = new World(loaded, { keepTrace: true });
      world.run();
      const traced = world.sim.trace.events.filter((event) => event.kind === 'fault');
      expect(traced.map((event) => event.action)).toEqual([kind.name]);
    });
  }
});
