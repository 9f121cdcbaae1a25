/**
 * The real clock's wake timer is lazy (src/bridge/clock.ts): when the next kernel event moves later (a
 * session's deadline cancelled as it ends), the armed timer is left to fire early and re-arm itself —
 * no clearTimeout per change — and the event still runs at its time, not before.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from '../../src/bridge/clock.js';
import { Simulator } from '../../src/sim/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RealClock wake timer', () => {
  it('is not re-armed when the next event moves later, and the later event runs on time', async () => {
    const sim = new Simulator({ seed: 1 });
    const clock = new RealClock(sim);
    const t0 = clock.nowMs();
    const ran: string[] = [];
    const ranAt: number[] = [];
    const early = sim.at(t0 + 30, () => ran.push('cancelled event'));
    clock.advance(); // armed for t0 + 30
    const clears = vi.spyOn(globalThis, 'clearTimeout');
    sim.cancel(early);
    sim.at(t0 + 80, () => {
      ran.push('later event');
      ranAt.push(clock.nowMs() - t0);
    });
    clock.pulse(() => {});
    expect(clears).not.toHaveBeenCalled();
    await sleep(250);
    expect(ran).toEqual(['later event']);
    expect(ranAt[0]).toBeGreaterThanOrEqual(80);
    clock.stop();
  });

  it('is re-armed when the next event moves earlier', async () => {
    const sim = new Simulator({ seed: 1 });
    const clock = new RealClock(sim);
    const t0 = clock.nowMs();
    const ranAt: number[] = [];
    sim.at(t0 + 5_000, () => ranAt.push(-1));
    clock.advance();
    sim.at(t0 + 40, () => ranAt.push(clock.nowMs() - t0));
    clock.advance();
    await sleep(200);
    expect(ranAt).toHaveLength(1);
    expect(ranAt[0]).toBeGreaterThanOrEqual(40);
    clock.stop();
  });
});
