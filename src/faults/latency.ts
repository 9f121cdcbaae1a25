/**
 * `latency: { between: [A, B], value }` (docs/reference.md §6): one link's latency changes; with several
 * in force the latest decides, and when it ends the one before it, then the link's configured value.
 */
import { formatDuration, formatDurationMs } from '../schema/units.js';
import { strictObject } from '../schema/base.js';
import { hostPair, latency as latencyValue } from '../schema/shared.js';
import { defineFaultKind } from './kind.js';

export const latency = defineFaultKind({
  name: 'latency',
  keys: { latency: strictObject({ between: hostPair, value: latencyValue }, "change one link's latency").optional() },
  normalise(item, tools, path) {
    const between = item.latency.between.map((name) => tools.name(name)) as [string, string];
    return { kind: 'latency', between, latency: tools.latency(item.latency.value, [...path, 'latency', 'value']) };
  },
  check(action, tools, path) {
    action.between.forEach((name, side) => {
      tools.knownHost(name, [...path, 'latency', 'between', side]);
    });
  },
  apply(action, target) {
    const handle = target.net.setLinkLatency(action.between[0], action.between[1], action.latency);
    return () => handle.undo();
  },
  describe(action) {
    const { minMs, maxMs } = action.latency;
    return `latency ${action.between[0]} ↔ ${action.between[1]} ${minMs === maxMs ? formatDurationMs(minMs) : `${formatDurationMs(minMs)}–${formatDurationMs(maxMs)}`}`;
  },
  draw: {
    weight: 1,
    available: (universe) => universe.hosts.length >= 2,
    arbitrary: (universe, fc) =>
      fc
        .tuple(fc.uniqueArray(fc.constantFrom(...universe.hosts), { minLength: 2, maxLength: 2 }), fc.integer({ min: 1, max: 5000 }))
        .map(([between, valueMs]) => ({ latency: { between, value: formatDuration(valueMs) } })),
  },
});
