/**
 * `mailsim serve`'s host never crashes (one boot, epoch 0), but `shutDown()` ends that boot: a timer
 * set with its `after` / `at` before the shutdown does not run even if the kernel is driven on, as a
 * timer of an old boot in the simulator does not (src/nodes/host-context.ts).
 */
import { describe, expect, it } from 'vitest';
import { ServeHost } from '../../src/bridge/serve-host.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

function serveHost(): ServeHost {
  const scenario = validateScenarioObject({
    name: 'one host',
    dns: { 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: { 'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } } },
  });
  return new ServeHost({ config: scenario.hosts[0]!, listenAddress: '127.0.0.1', maildir: null, relay: null });
}

describe('ServeHost.after / at', () => {
  it('run while the host is live and are dropped after shutDown', () => {
    const host = serveHost();
    const ran: string[] = [];
    host.after(0, () => ran.push('before shutdown'));
    host.sim.runUntilIdle();
    host.after(0, () => ran.push('after(), set before shutdown'));
    host.at(host.sim.nowMs + 1, () => ran.push('at(), set before shutdown'));
    host.shutDown();
    host.sim.runUntilIdle(); // the real clock is stopped; drive the kernel by hand
    expect(ran).toEqual(['before shutdown']);
  });
});
