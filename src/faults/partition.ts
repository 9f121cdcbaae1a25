/**
 * `partition: [[A, …], [B, …], …]` (docs/reference.md §6): hosts in different groups cannot reach each
 * other; hosts not named stay connected to all. A pair is cut while any partition in force separates it.
 */
import { hostName, list } from '../schema/base.js';
import { scenarioLimits } from '../schema/shared.js';
import { defineFaultKind } from './kind.js';

export const partition = defineFaultKind({
  name: 'partition',
  keys: {
    partition: list(
      list(hostName('a host'), 'a group of hosts', scenarioLimits.namesPerListMax),
      'groups that cannot reach each other',
      scenarioLimits.partitionGroupsMax,
    ).optional(),
  },
  normalise: (item, tools) => ({ kind: 'partition', groups: item.partition.map((group) => group.map((name) => tools.name(name))) }),
  check(action, tools, path) {
    action.groups.forEach((group, g) => {
      group.forEach((name, i) => {
        tools.knownHost(name, [...path, 'partition', g, i]);
      });
    });
  },
  apply(action, target) {
    const handle = target.net.partition(action.groups);
    return () => handle.heal();
  },
  describe: (action) => `partition ${action.groups.map((g) => `[${g.join(', ')}]`).join(' | ')}`,
  draw: {
    weight: 1,
    available: (universe) => universe.hosts.length >= 2,
    // Two groups drawn from the hosts; hosts not named stay connected to all.
    arbitrary: (universe, fc) =>
      fc
        .uniqueArray(fc.constantFrom(...universe.hosts), { minLength: 2, maxLength: universe.hosts.length })
        .chain((named) => fc.integer({ min: 1, max: named.length - 1 }).map((split) => ({ partition: [named.slice(0, split), named.slice(split)] }))),
  },
});
