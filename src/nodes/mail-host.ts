/**
 * One mail host of a world: a network host with the services its scenario `roles` call for, sharing
 * one disk, one resolver and one queue (docs/reference.md §5: "Every host that accepts mail on any port has
 * an outbound queue for what it must pass on").
 *
 * Theory of operation. The host boots at t = 0 and at every `up`: it mounts its disk, reloads the
 * queue from it (docs/delivery.md R1: what was committed survives), and opens its listeners. A `down`
 * powers it off: the network kills its connections and listeners, and the host's boot epoch (kept by
 * the network host) moves on, so every timer, callback and session of the old boot finds itself stale
 * and does nothing — that is how "what it held only in memory is lost" is enforced. The greylist
 * table (postgrey's database) and the disk platter outlive a crash; the resolver's cache does not.
 */
import type { StubResolver } from '../dns/index.js';
import type { Host } from '../net/host.js';
import type { HostConfig } from './config.js';
import type { RandomStream, Simulator, TimerId } from '../sim/index.js';
import { type Disk, MemoryDisk } from '../store/disk.js';
import { afterThisBoot, atThisBoot, type HostContext } from './host-context.js';
import type { MailLog } from '../mail/log.js';
import type { LocalTransport } from './mda/local-transport.js';
import type { MailQueue } from './queue/mail-queue.js';
import type { SmtpFaultBook } from './smtp/fault-book.js';
import type { SmtpService } from './smtp/smtp-service.js';
import { type BootableService, composeMailServices } from './mail-services.js';

export class MailHost implements HostContext {
  readonly name: string;
  readonly platter = new MemoryDisk();
  readonly queue: MailQueue;
  readonly local: LocalTransport | null;
  readonly smtp: SmtpService;
  readonly faults: SmtpFaultBook;
  readonly services: BootableService[];
  bootedAtMs = 0;
  private mounted: Disk;

  constructor(
    readonly config: HostConfig,
    readonly sim: Simulator,
    readonly netHost: Host,
    readonly resolver: StubResolver,
    readonly log: MailLog,
  ) {
    this.name = config.name;
    this.mounted = this.platter.mount();
    ({ local: this.local, queue: this.queue, faults: this.faults, smtp: this.smtp, services: this.services } = composeMailServices(this));
    netHost.onCrash(() => this.platter.crash());
    netHost.onBoot(() => this.boot());
  }

  get epoch(): number {
    return this.netHost.bootEpoch;
  }

  isCurrent(epoch: number): boolean {
    return this.netHost.isUp && this.netHost.bootEpoch === epoch;
  }

  after(delayMs: number, fn: () => void): TimerId {
    return afterThisBoot(this, delayMs, fn);
  }

  at(timeMs: number, fn: () => void): TimerId {
    return atThisBoot(this, timeMs, fn);
  }

  disk(): Disk {
    return this.mounted;
  }

  random(kind: string): RandomStream {
    return this.sim.rng.stream(`${kind}:${this.name}`);
  }

  /** Starts the host's services: at t = 0, and again after every `up`. */
  boot(): void {
    this.mounted = this.platter.mount();
    this.bootedAtMs = this.sim.nowMs;
    this.queue.reload();
    this.smtp.listen();
    for (const service of this.services) service.listen();
  }
}
