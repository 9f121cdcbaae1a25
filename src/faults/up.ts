/**
 * `up: HOST` (docs/reference.md §6): the host boots again — services restart, the queue is reloaded
 * from disk. A window like `down`: when it ends, the `down` windows still in force take over again.
 */
import { hostName } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw } from './shared.js';

export const up = defineFaultKind({
  name: 'up',
  keys: { up: hostName('boot the host again').optional() },
  normalise: (item, tools) => ({ kind: 'up', host: tools.name(item.up) }),
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'up']),
  apply: (action, target) => target.power(action.host, 'up'),
  describe: (action) => `${action.host} boots`,
  draw: {
    weight: 1,
    // An `up` is no fault to heal from: not drawn when the schedule must heal.
    available: (universe) => universe.hosts.length > 0 && universe.healByMs === undefined,
    arbitrary: (universe, fc) => hostDraw(universe, fc).map((name) => ({ up: name })),
  },
});
