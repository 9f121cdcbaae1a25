/**
 * `dns-set: { NAME: records }` (docs/reference.md §6): replaces names' records in the syntax of §4;
 * `until` restores the old ones. Resolvers that cached the old answer keep it until its TTL runs out.
 */
import { zoneEntry } from '../dns/record-set.js';
import { dnsZone } from '../schema/shared.js';
import { defineFaultKind } from './kind.js';

export const dnsSet = defineFaultKind({
  name: 'dns-set',
  keys: { 'dns-set': dnsZone.optional() },
  normalise: (item, tools, path) => ({ kind: 'dns-set', entries: tools.dnsEntries(item['dns-set'], [...path, 'dns-set']) }),
  check: (action, tools, path) => tools.mxTargets(action.entries, [...path, 'dns-set']),
  apply(action, target) {
    const handles = action.entries.map((entry) => target.dns.replace(entry.name, zoneEntry(entry.records)));
    return () => {
      for (const handle of handles.reverse()) handle.undo();
    };
  },
  describe: (action) => `DNS records replaced for ${action.entries.map((e) => e.name).join(', ')}`,
  draw: {
    weight: 1,
    // A new MX set is no fault to heal from: not drawn when the schedule must heal.
    available: (universe) => (universe.mxDomains?.length ?? 0) > 0 && universe.healByMs === undefined,
    arbitrary: (universe, fc) =>
      fc
        .constantFrom(...(universe.mxDomains ?? []))
        .chain(({ domain, exchanges }) =>
          fc
            .uniqueArray(fc.constantFrom(...exchanges), { minLength: 1, maxLength: exchanges.length })
            .chain((chosen) => fc.array(fc.integer({ min: 0, max: 30 }), { minLength: chosen.length, maxLength: chosen.length }).map((prefs) => ({ chosen, prefs })))
            .map(({ chosen, prefs }) => ({ 'dns-set': { [domain]: { mx: chosen.map((exchange, i) => `${prefs[i] ?? 10} ${exchange}`) } } })),
        ),
  },
});
