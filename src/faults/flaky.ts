/**
 * `flaky: HOST` with `probability` (docs/reference.md §6): each new connection attempt to the host
 * independently times out with that probability. Several in force are independent causes:
 * the attempt survives only if it survives each.
 */
import { hostName, probability } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

export const flaky = defineFaultKind({
  name: 'flaky',
  keys: {
    flaky: hostName('connection attempts to this host time out with probability').optional(),
    probability: probability('for flaky: chance each connection attempt times out').optional(),
  },
  refine(item, ctx) {
    if (item.flaky !== undefined && item.probability === undefined) ctx.addIssue({ code: 'custom', message: 'flaky needs probability: p (0 to 1)', path: ['flaky'] });
    if (item.probability !== undefined && item.flaky === undefined) {
      ctx.addIssue({ code: 'custom', message: 'probability at this level goes with flaky (reply and drop take their own)', path: ['probability'] });
    }
  },
  normalise: (item, tools) => ({ kind: 'flaky', host: tools.name(item.flaky), probability: item.probability ?? 0 }),
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'flaky']),
  apply(action, target) {
    const handle = target.net.setFlaky(action.host, action.probability);
    return () => handle.undo();
  },
  describe: (action) => `connections to ${action.host} time out with p=${action.probability}`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) => fc.tuple(hostDraw(universe, fc), fc.integer({ min: 1, max: 9 })).map(([name, tenths]) => ({ flaky: name, probability: tenths / 10 })),
  },
});
