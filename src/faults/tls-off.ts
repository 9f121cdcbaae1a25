/**
 * `tls-off: HOST` (docs/reference.md §6): the host's SMTP server has no working TLS for a while — a lost
 * certificate, a broken TLS library. New sessions are not offered STARTTLS (a STARTTLS sent anyway is
 * refused as not offered), the implicit-TLS port 465 resets its connections, and AUTH on submission
 * needs TLS as before, so a client that insists on TLS cannot send. Sessions already in TLS go on.
 */
import { hostName } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

export const tlsOff = defineFaultKind({
  name: 'tls-off',
  keys: { 'tls-off': hostName('the SMTP server that offers no TLS').optional() },
  normalise: (item, tools) => ({ kind: 'tls-off', host: tools.name(item['tls-off']) }),
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'tls-off']),
  apply: (action, target) => target.smtp(action.host).addTlsOff(),
  describe: (action) => `${action.host} offers no TLS`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) => hostDraw(universe, fc).map((name) => ({ 'tls-off': name })),
  },
  servedOn: (action) => action.host,
});
