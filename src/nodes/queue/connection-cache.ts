/**
 * The SMTP client's connection cache of one host (docs/delivery.md R15): sessions left open after a
 * delivery, kept per destination (the next hop) for another delivery to reuse — Postfix's
 * `smtp_connection_cache_on_demand` with the scache(8) service.
 *
 * Theory of operation (Postfix smtp_reuse.c, smtp_connect.c, postconf(5)):
 * - `put`: a delivery allowed to store (the queue's `store`, R15) that ended with its session still
 *   good leaves it here for `smtp_connection_cache_time_limit` (2 s); when nobody took it by then it
 *   is closed without QUIT (scache(8) closes the socket). A session older than `smtp_connection_reuse_time_limit` (300 s) is closed at
 *   once instead (THIS_SESSION_IS_EXPIRED); `smtp_connection_reuse_count_limit` is 0 (no limit).
 * - `take`: a delivery allowed to load looks here first, by destination, before any DNS lookup
 *   (`smtp_reuse_nexthop`); the newest open session is handed over, with the host it is connected to.
 *   The transport probes it with RSET before its transaction (smtp_reuse_common); a failed probe
 *   just means "no cached session".
 * Sessions belong to the host's boot: a crash ends them, and the timers are boot-bound.
 */
import type { TimerId } from '../../sim/index.js';
import type { AddressTarget } from '../mta/mx-selection.js';
import type { ParkedSession } from '../smtp-client-session.js';

/** Postfix `smtp_connection_reuse_time_limit`: a session is not cached again once this old. */
export const connectionReuseTimeMs = 300_000;
/** Bound on sessions one host keeps cached at once (Postfix's scache has a process limit too). */
export const cachedSessionsMax = 1000;

interface Cached {
  session: ParkedSession;
  target: AddressTarget;
  timer: TimerId;
}

export interface CacheClock {
  nowMs(): number;
  /** A boot-bound timer (HostContext.after). */
  after(delayMs: number, fn: () => void): TimerId;
  cancel(timer: TimerId): void;
}

export class ConnectionCache {
  private readonly byDestination = new Map<string, Cached[]>();
  private count = 0;

  constructor(
    private readonly clock: CacheClock,
    /** Postfix `smtp_connection_cache_time_limit`. */
    private readonly cacheTimeMs: number,
  ) {}

  /** Sessions cached now (for tests). */
  get size(): number {
    return this.count;
  }

  put(destination: string, session: ParkedSession, target: AddressTarget): void {
    if (!session.isOpen()) return;
    if (this.clock.nowMs() - session.openedAtMs >= connectionReuseTimeMs || this.count >= cachedSessionsMax) {
      session.close();
      return;
    }
    const entry: Cached = { session, target, timer: this.clock.after(this.cacheTimeMs, () => this.expire(destination, entry)) };
    const list = this.byDestination.get(destination);
    if (list === undefined) this.byDestination.set(destination, [entry]);
    else list.push(entry);
    this.count++;
  }

  /** The newest open session cached for the destination, taken out of the cache; null when none. */
  take(destination: string): { session: ParkedSession; target: AddressTarget } | null {
    const list = this.byDestination.get(destination);
    while (list !== undefined && list.length > 0) {
      const entry = list.pop()!;
      this.count--;
      this.clock.cancel(entry.timer);
      if (list.length === 0) this.byDestination.delete(destination);
      if (entry.session.isOpen()) return { session: entry.session, target: entry.target };
    }
    return null;
  }

  private expire(destination: string, entry: Cached): void {
    const list = this.byDestination.get(destination);
    const index = list?.indexOf(entry) ?? -1;
    if (list === undefined || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.byDestination.delete(destination);
    this.count--;
    // Postfix's scache closes an expired session's socket: no QUIT.
    entry.session.hangUp();
  }
}
