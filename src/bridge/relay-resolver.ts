/**
 * The serve host's resolver. `mailsim serve` has no scripted DNS: with `--relay-to`, the transport map
 * sends every remote domain to `relayHostName` (a smarthost, docs/reference.md §5 `routes: { "*": … }`), and
 * this resolver answers that one name with the relay's stand-in address. Any other question gets
 * SERVFAIL — a temporary failure, so mail the host cannot route stays queued (4.4.3) and is listed on
 * exit. Answers arrive in a kernel event of their own, as the stub resolver's do.
 */
import type { AddressResult, MxResult, StubResolver } from '../dns/resolver.js';
import type { Simulator } from '../sim/index.js';
import { relayAddress, relayHostName } from './socket-host.js';

export class RelayResolver implements Pick<StubResolver, 'resolveMx' | 'resolveAddresses'> {
  constructor(
    private readonly sim: Simulator,
    private readonly hasRelay: boolean,
  ) {}

  resolveMx(domain: string, callback: (result: MxResult) => void): void {
    const result: MxResult = { rcode: 'SERVFAIL', name: domain, type: 'MX', records: [], cnameChain: [], fromCache: false, mx: [] };
    this.sim.after(0, () => callback(result));
  }

  resolveAddresses(name: string, callback: (result: AddressResult) => void): void {
    const known = this.hasRelay && name.toLowerCase() === relayHostName;
    const result: AddressResult = { rcode: known ? 'NOERROR' : 'SERVFAIL', name, addresses: known ? [relayAddress] : [], records: [], cnameChain: [], fromCache: false };
    this.sim.after(0, () => callback(result));
  }
}
