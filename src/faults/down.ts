/**
 * `down: HOST` (docs/reference.md §6): the host is powered off — packets to it vanish, its connections
 * die, what it held only in memory is lost. A window: with others in force the latest decides
 * (the world's power windows, "How faults combine").
 */
import { hostName } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

export const down = defineFaultKind({
  name: 'down',
  keys: { down: hostName('power the host off').optional() },
  normalise: (item, tools) => ({ kind: 'down', host: tools.name(item.down) }),
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'down']),
  apply: (action, target) => target.power(action.host, 'down'),
  describe: (action) => `${action.host} is down`,
  draw: {
    weight: 2,
    available: needsAHost,
    arbitrary: (universe, fc) => hostDraw(universe, fc).map((name) => ({ down: name })),
  },
});
