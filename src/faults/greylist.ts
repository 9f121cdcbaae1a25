/**
 * `greylist: { host, delay }` (docs/reference.md §6): the host greylists on port 25 while the fault is in
 * force, as if its `greylist` key were set: the first attempt of a (client network, sender, recipient)
 * triplet gets `450 4.2.0`, a retry after `delay` passes (postgrey, docs/delivery.md §11). When the fault
 * ends, the host's own setting is back.
 */
import { duration, hostName, strictObject } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

export const greylist = defineFaultKind({
  name: 'greylist',
  keys: {
    greylist: strictObject(
      {
        host: hostName('the SMTP server that greylists'),
        delay: duration('how long a triplet waits before a retry passes', '5m').optional(),
      },
      'greylisting switched on for a while',
    ).optional(),
  },
  normalise(item, tools) {
    const g = item.greylist;
    // null: postgrey's default delay (nodes/mta/greylist.ts), applied by the server.
    return { kind: 'greylist', host: tools.name(g.host), delayMs: g.delay ?? null };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'greylist', 'host']),
  apply: (action, target) => target.smtp(action.host).addGreylist(action.delayMs),
  describe: (action) => `${action.host} greylists (delay ${action.delayMs === null ? 'postgrey\'s 5 min' : `${action.delayMs} ms`})`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) => fc.tuple(hostDraw(universe, fc), fc.constantFrom('1m', '5m', '30m')).map(([name, delay]) => ({ greylist: { host: name, delay } })),
  },
  servedOn: (action) => action.host,
});
