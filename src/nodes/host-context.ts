/**
 * What every service of a mail host (queue, SMTP listeners, MDA, POP3, IMAP) shares: the host's
 * configuration, the kernel, the network host, the resolver, the disk of the current boot and the
 * mail log. A crash ends a boot epoch: anything started in an older epoch must not act any more
 * (`isCurrent(epoch)` is false), and everything held only in memory is rebuilt from the disk on boot.
 *
 * Timers of a boot. A service schedules its timers with the host's `after` / `at`, never with
 * `sim.after` / `sim.at` directly: they capture the boot epoch when the timer is set, and
 * `thisBootOnly` (the one place the check lives) drops the callback when it fires in a later epoch
 * (or while the host is down). The timer is still scheduled on the simulator at once, in the same
 * order as a plain `sim.after` would be, so the event order — and every trace digest — is the same.
 * A timer that must outlive a crash (none on a host today; the world's fault timeline is not a
 * host's) would use the simulator directly, with a comment saying why.
 */
import type { StubResolver } from '../dns/index.js';
import type { HostConfig } from './config.js';
import type { RandomStream, Simulator, TimerId } from '../sim/index.js';
import type { Disk } from '../store/disk.js';
import type { MailLog } from '../mail/log.js';
import type { ServiceHost } from './stream-endpoint.js';

/**
 * Whether POP3 and IMAP take a cleartext password before TLS: 'allowed' (the simulator's hosts, whose
 * MUAs log in on 110/143 without STLS), or 'tls-or-loopback' — Dovecot's `disable_plaintext_auth = yes`,
 * which treats a loopback client as secure (`mailsim serve`'s default).
 */
export type PlaintextAuthPolicy = 'allowed' | 'tls-or-loopback';

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
  /**
   * Runs `fn` `delayMs` virtual ms from now (integer, ≥ 0) if the host has not crashed meanwhile;
   * otherwise the callback is dropped. The id cancels it with `sim.cancel`.
   */
  after(delayMs: number, fn: () => void): TimerId;
  /** Runs `fn` at virtual time `timeMs` (integer, ≥ now) if the host has not crashed meanwhile. */
  at(timeMs: number, fn: () => void): TimerId;
  /** The disk handle of the current boot. */
  disk(): Disk;
  /** The named random stream `${kind}:${host name}` (docs/architecture.md rule 2). */
  random(kind: string): RandomStream;
  /** Virtual ms of the current boot (queue scans are phased from it). */
  readonly bootedAtMs: number;
  /** POP3/IMAP cleartext logins before TLS; absent: 'allowed'. */
  readonly plaintextAuth?: PlaintextAuthPolicy;
}

/** What a boot-bound timer needs of its host. */
export type BootClock = Pick<HostContext, 'sim' | 'epoch' | 'isCurrent'>;

/**
 * `fn`, bound to the host's current boot epoch: the returned callback calls it only while that boot
 * is still the current one. The one place a boot epoch is checked for a timer.
 */
export function thisBootOnly(host: BootClock, fn: () => void): () => void {
  const epoch = host.epoch;
  return () => {
    if (host.isCurrent(epoch)) fn();
  };
}

/** `HostContext.after` for an implementation: `sim.after` with a callback of this boot only. */
export function afterThisBoot(host: BootClock, delayMs: number, fn: () => void): TimerId {
  return host.sim.after(delayMs, thisBootOnly(host, fn));
}

/** `HostContext.at` for an implementation: `sim.at` with a callback of this boot only. */
export function atThisBoot(host: BootClock, timeMs: number, fn: () => void): TimerId {
  return host.sim.at(timeMs, thisBootOnly(host, fn));
}
