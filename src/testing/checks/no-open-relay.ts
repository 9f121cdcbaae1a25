/**
 * `noOpenRelay()` — no host accepted, on port 25, a recipient outside its `domains` and `relay-for`
 * (RFC 5321 §3.6.2; docs/delivery.md T3; docs/reference.md §5 and §8 no-open-relay). Judged from the trace's `mail.accept`
 * events against the validated scenario's hosts — not from the server's own report of it — so a
 * server whose relay test is wrong is caught too.
 */
import { at, builtInCheck, domainOf, hostConfigOf } from './common.js';

/** Checks that no host relays for strangers on port 25. */
export function noOpenRelay() {
  return builtInCheck('noOpenRelay', (run) => {
    const out: string[] = [];
    for (const e of run.trace) {
      if (e.kind !== 'mail.accept' || Number(e.port) !== 25) continue;
      const host = hostConfigOf(run, String(e.host));
      if (host === undefined) continue;
      for (const address of String(e.to).split(',').filter((a) => a !== '')) {
        const domain = domainOf(address);
        if (!host.domains.includes(domain) && !host.relayFor.includes(domain)) {
          out.push(`${host.name} accepted ${e.messageId} → ${address} on port 25 at ${at(e.t)}, though ${domain} is neither in its domains nor in its relay-for (open relay, RFC 5321 §3.6.2)`);
        }
      }
    }
    return out;
  });
}
