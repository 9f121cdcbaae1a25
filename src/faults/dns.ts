/**
 * `dns: { name, type, rcode }` (docs/reference.md §6): the DNS server's answers for a name (of one record
 * type, or any) fail with SERVFAIL or NXDOMAIN (RFC 1035 §4.1.1 RCODE 2, 3), or never come (`timeout`).
 * With several in force for a name, the latest answers.
 */
import { z } from 'zod';
import type { DnsRecordType } from '../dns/record-set.js';
import type { RecordType } from '../dns/records.js';
import type { DnsFaultRcode } from '../dns/server.js';
import { domainName, strictObject } from '../schema/base.js';
import { defineFaultKind } from './kind.js';

const recordTypes = ['mx', 'a', 'aaaa', 'cname', 'txt', 'any', 'MX', 'A', 'AAAA', 'CNAME', 'TXT', 'ANY'] as const;

export const dns = defineFaultKind({
  name: 'dns',
  keys: {
    dns: strictObject(
      {
        name: domainName('the name whose answers fail'),
        type: z.enum(recordTypes).optional().meta({ description: 'record type, default any' }),
        rcode: z.enum(['servfail', 'nxdomain', 'timeout']).meta({ description: 'servfail, nxdomain or timeout' }),
      },
      'DNS failure for a name',
    ).optional(),
  },
  normalise(item, tools) {
    const written = item.dns.type?.toLowerCase();
    const type = written === undefined || written === 'any' ? null : (written as DnsRecordType);
    const rcode: DnsFaultRcode = item.dns.rcode;
    return { kind: 'dns', name: tools.name(item.dns.name), type, rcode };
  },
  check() {
    // Any name may fail, defined in the zone or not.
  },
  apply(action, target) {
    const handle = target.dns.setFault({ name: action.name, ...(action.type ? { type: action.type.toUpperCase() as RecordType } : {}), rcode: action.rcode });
    return () => handle.undo();
  },
  describe: (action) => `DNS ${action.name}${action.type ? ` ${action.type.toUpperCase()}` : ''} answers ${action.rcode}`,
  draw: {
    weight: 1,
    available: (universe) => universe.dnsNames.length > 0,
    arbitrary: (universe, fc) =>
      fc
        .tuple(fc.constantFrom(...universe.dnsNames), fc.constantFrom(...(universe.dnsRcodes ?? (['servfail', 'timeout', 'nxdomain'] as const))), fc.constantFrom(null, 'mx', 'a'))
        .map(([name, rcode, type]) => ({ dns: type === null ? { name, rcode } : { name, type, rcode } })),
  },
});
