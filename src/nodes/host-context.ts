/**
 * What every service of a mail host (queue, SMTP listeners, MDA, POP3, IMAP) shares: the host's
 * configuration, the kernel, the network host, the resolver, the disk of the current boot and the
 * mail log. A crash ends a boot epoch: anything started in an older epoch must not act any more
 * (`isCurrent(epoch)` is false), and everything held only in memory is rebuilt from the disk on boot.
 */
import type { StubResolver } from '../dns/index.js';
import type { HostConfig } from './config.js';
import type { RandomStream, Simulator } from '../sim/index.js';
import type { Disk } from '../store/disk.js';
import type { MailLog } from './mail-log.js';
import type { ServiceHost } from './stream-endpoint.js';

/** A service a host starts when it boots (and again after each crash): it opens its listeners. */
export interface BootableService {
  listen(): void;
}

export interface HostContext {
  readonly name: string;
  readonly config: HostConfig;
  readonly sim: Simulator;
  /** The virtual network's Host in a simulation; real sockets under `mailsim serve` (src/bridge). */
  readonly netHost: ServiceHost;
  readonly resolver: Pick<StubResolver, 'resolveMx' | 'resolveAddresses'>;
  readonly log: MailLog;
  /** Incremented by every crash. */
  readonly epoch: number;
  isCurrent(epoch: number): boolean;
  /** The disk handle of the current boot. */
  disk(): Disk;
  /** The named random stream `${kind}:${host name}` (docs/architecture.md rule 2). */
  random(kind: string): RandomStream;
  /** Virtual ms of the current boot (queue scans are phased from it). */
  readonly bootedAtMs: number;
}
