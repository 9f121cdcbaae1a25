/**
 * `refuse: HOST` with `port` (docs/reference.md §6): the host is up but the port is closed, so connects
 * are refused at once (a TCP RST), unlike `down` where they time out.
 */
import { hostName, wholeNumber } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

/** The port `refuse` closes unless `port` says otherwise: 25, where MTAs relay to each other. */
export const defaultRefusePort = 25;

export const refuse = defineFaultKind({
  name: 'refuse',
  keys: {
    refuse: hostName('close a port on the host (see port)').optional(),
    port: wholeNumber('the port refuse closes', 1, 65_535, defaultRefusePort).optional(),
  },
  refine(item, ctx) {
    if (item.port !== undefined && item.refuse === undefined) ctx.addIssue({ code: 'custom', message: 'port goes with refuse', path: ['port'] });
  },
  normalise: (item, tools) => ({ kind: 'refuse', host: tools.name(item.refuse), port: item.port ?? defaultRefusePort }),
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'refuse']),
  apply(action, target) {
    const handle = target.net.refuse(action.host, action.port);
    return () => handle.undo();
  },
  describe: (action) => `${action.host} refuses port ${action.port}`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) => hostDraw(universe, fc).map((name) => ({ refuse: name })),
  },
  // `mailsim serve` resets connections to its listener of that port (src/bridge/server.ts).
  servedOn: (action) => action.host,
});
