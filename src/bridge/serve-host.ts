/**
 * The one mail host `mailsim serve` runs: the same composition as the simulator's MailHost (queue,
 * MDA, SMTP listeners, POP3, IMAP, fault book — src/nodes/mail-host.ts) over a `SocketHost`, a real
 * clock, the relay resolver, and either the memory disk or the real Maildir tree (`--maildir`).
 *
 * It never crashes, so there is one boot (epoch 0); `shutDown()` makes every session and callback
 * stale, exactly as a crash does in the simulator, so nothing acts after the process decided to stop.
 */
import type { HostConfig } from '../nodes/config.js';
import { type RandomStream, Simulator, type TimerId } from '../sim/index.js';
import { type Disk, MemoryDisk } from '../store/disk.js';
import { afterThisBoot, atThisBoot, type HostContext, type PlaintextAuthPolicy } from '../nodes/host-context.js';
import { MailLog } from '../mail/log.js';
import { type BootableService, composeMailServices } from '../nodes/mail-services.js';
import type { LocalTransport } from '../nodes/mda/local-transport.js';
import type { MailQueue } from '../nodes/queue/mail-queue.js';
import type { SmtpFaultBook } from '../nodes/smtp/fault-book.js';
import type { SmtpService } from '../nodes/smtp/smtp-service.js';
import { RealClock } from './clock.js';
import type { DurableSequence } from './durability.js';
import { FsDisk } from './fs-disk.js';
import { RelayResolver } from './relay-resolver.js';
import { type RelayTarget, SocketHost } from './socket-host.js';
import { SmtpTranscripts } from './transcripts.js';

export interface ServeHostOptions {
  config: HostConfig;
  /** The address the listeners bind (the host's own address: M6 never relays to itself). */
  listenAddress: string;
  /** Keep mailboxes (and the queue) under this folder instead of memory. */
  maildir: string | null;
  relay: RelayTarget | null;
  /** POP3/IMAP cleartext logins before TLS (HostContext.plaintextAuth). */
  plaintextAuth?: PlaintextAuthPolicy;
  seed?: number;
}

export class ServeHost implements HostContext {
  readonly name: string;
  readonly config: HostConfig;
  readonly sim: Simulator;
  readonly clock: RealClock;
  readonly netHost: SocketHost;
  readonly resolver: RelayResolver;
  readonly log: MailLog;
  readonly epoch = 0;
  /**
   * When `boot()` ran: the phase of the queue's scans. Recorded in boot(), right before the queue is
   * reloaded, as the simulator's MailHost does: recorded at construction it was a few ms earlier than
   * the reload, which rounded the first scan after a restart up to a whole `queue.scan` period.
   */
  bootedAtMs: number;
  readonly queue: MailQueue;
  readonly local: LocalTransport | null;
  readonly faults: SmtpFaultBook;
  readonly smtp: SmtpService;
  readonly services: BootableService[];
  readonly plaintextAuth: PlaintextAuthPolicy;
  /** With --maildir: which disk mutations are durable (group commit); replies wait on it. Else null. */
  readonly durability: DurableSequence | null;
  private readonly mounted: Disk;
  private readonly fsDisk: FsDisk | null;
  private live = true;
  private transcripts: SmtpTranscripts | null = null;

  constructor(options: ServeHostOptions) {
    this.config = options.config;
    this.plaintextAuth = options.plaintextAuth ?? 'tls-or-loopback';
    this.name = options.config.name;
    this.sim = new Simulator({ seed: options.seed ?? 1 });
    this.clock = new RealClock(this.sim);
    this.bootedAtMs = this.sim.nowMs;
    this.netHost = new SocketHost(options.listenAddress, this.clock, options.relay);
    this.resolver = new RelayResolver(this.sim, options.relay !== null);
    this.log = new MailLog(this.sim, { keep: false }); // no report is built: trace events only (bounded memory)
    this.fsDisk = options.maildir === null ? null : FsDisk.forMaildirRoot(options.maildir, { groupCommit: true });
    this.durability = this.fsDisk?.durability ?? null;
    this.mounted = this.fsDisk ?? new MemoryDisk().mount();

    ({ local: this.local, queue: this.queue, faults: this.faults, smtp: this.smtp, services: this.services } = composeMailServices(this));
  }

  isCurrent(epoch: number): boolean {
    return this.live && epoch === this.epoch;
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

  /** Reloads the queue (a `--maildir` queue survives restarts, R1) and registers every listener. */
  boot(): void {
    this.clock.pulse(() => {
      // The reloaded entries are eligible now, at the boot, so the first scan runs at once.
      this.bootedAtMs = this.sim.nowMs;
      this.queue.reload();
      this.smtp.listen();
      for (const service of this.services) service.listen();
    });
  }

  /**
   * From now on every SMTP session's transcript is kept (transcripts.ts): the HTTP API asks for it,
   * so a serve without the API records none. Sessions already open are not recorded.
   */
  recordTranscripts(): SmtpTranscripts {
    this.transcripts ??= new SmtpTranscripts(this.sim);
    this.smtp.taps = this.transcripts;
    return this.transcripts;
  }

  /** From now on nothing of this host acts any more (sessions, timers, callbacks); the disk is drained. */
  shutDown(): void {
    this.live = false;
    this.clock.stop();
    this.fsDisk?.drain();
  }
}
