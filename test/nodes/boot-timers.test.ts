/**
 * A host's timers belong to one boot (src/nodes/host-context.ts): `after` / `at` capture the boot
 * epoch when they are set, and a callback that comes due after a crash — while the host is down or in
 * the next boot — is dropped; one set in the new boot runs. The world here has one host that goes down
 * at 10 s and comes back up at 20 s; timers are set from events at chosen times and the test records
 * which callbacks ran, and when.
 */
import { describe, expect, it } from 'vitest';
import type { MailHost } from '../../src/nodes/mail-host.js';
import { World } from '../../src/nodes/world.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

const hostName = 'mx1.example.org';
const crashMs = 10_000;
const rebootMs = 20_000;

function crashingWorld(): { world: World; host: MailHost } {
  const world = new World(
    validateScenarioObject({
      name: 'a host crashes at 10s and boots again at 20s',
      until: '1m',
      dns: { 'example.org': { mx: [`10 ${hostName}`] } },
      hosts: { [hostName]: { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } } },
      faults: [{ at: '10s', down: hostName, until: '20s' }],
    }),
  );
  const host = world.hosts.get(hostName);
  if (host === undefined) throw new Error(`no host ${hostName}`);
  return { world, host };
}

/** Runs the world; `plan` sets timers from events at the times it picks, `ran` gets (label, ms). */
function runWith(plan: (world: World, host: MailHost, ran: (label: string) => () => void) => void): Array<[string, number]> {
  const { world, host } = crashingWorld();
  const seen: Array<[string, number]> = [];
  plan(world, host, (label) => () => seen.push([label, world.sim.nowMs]));
  world.run();
  return seen;
}

describe('HostContext.after / at: callbacks of an old boot epoch are dropped', () => {
  it('after(): set before the crash and due after the reboot does not run; set after the reboot does', () => {
    const seen = runWith((world, host, ran) => {
      world.sim.at(5_000, () => host.after(25_000, ran('old boot, due at 30s')));
      world.sim.at(25_000, () => host.after(5_000, ran('new boot, due at 30s')));
    });
    expect(seen).toEqual([['new boot, due at 30s', 30_000]]);
  });

  it('at(): the same for an absolute time', () => {
    const seen = runWith((world, host, ran) => {
      world.sim.at(5_000, () => host.at(40_000, ran('old boot, at 40s')));
      world.sim.at(rebootMs, () => host.at(40_000, ran('new boot, at 40s')));
    });
    expect(seen).toEqual([['new boot, at 40s', 40_000]]);
  });

  it('a callback due while the host is down is dropped; one due before the crash runs', () => {
    const seen = runWith((world, host, ran) => {
      world.sim.at(5_000, () => {
        host.after(crashMs - 5_000 - 1, ran('due just before the crash'));
        host.after(10_000, ran('due at 15s, while down'));
        host.at(rebootMs, ran('due at the reboot instant'));
      });
    });
    expect(seen).toEqual([['due just before the crash', crashMs - 1]]);
  });

  it('the epoch is captured when the timer is set, and the id cancels it', () => {
    const seen = runWith((world, host, ran) => {
      world.sim.at(5_000, () => expect(host.epoch).toBe(0));
      world.sim.at(25_000, () => {
        expect(host.epoch).toBe(1);
        const id = host.after(1_000, ran('cancelled'));
        host.after(2_000, ran('kept'));
        world.sim.cancel(id);
      });
    });
    expect(seen).toEqual([['kept', 27_000]]);
  });
});
