/**
 * The switches faults turn on an SMTP server for a while (docs/reference.md §6): a rate limit
 * (`rate-limit`), greylisting (`greylist`) and no TLS (`tls-off`). Each add returns its removal; when
 * several of a kind are in force the latest added wins, and removing it brings back the one before.
 *
 * Rate limit, as Postfix's anvil(8) counts `smtpd_client_message_rate_limit`: MAIL FROM commands are
 * counted — per SMTP session (`per: connection`), or per client address in a window that opens at the
 * client's first counted MAIL and lasts `perMs` (anvil's time unit), after which the count starts
 * over. The command that goes over the limit is refused with `421 4.7.0 Error: too much mail from
 * ADDRESS` (Postfix's words) and the server closes the channel (RFC 5321 §3.8). Deterministic: only
 * counts and the server's clock.
 *
 * Greylisting keeps one postgrey table per `greylist` fault for as long as the fault is in force, so
 * a sender that retries after the delay passes, as with a real greylisting server turned on.
 */
import type { SmtpReply } from '../../protocols/smtp/types.js';
import { Greylist, greylistDefaults } from '../mta/greylist.js';

export interface RateLimit {
  /** MAIL commands allowed before the next is refused. */
  messages: number;
  /** The window in ms; null: per SMTP session. */
  perMs: number | null;
  code: number;
  /** Reply text; null: Postfix's `Error: too much mail from ADDRESS`. */
  text: string | null;
}

interface ActiveRateLimit {
  limit: RateLimit;
  perSession: WeakMap<object, number>;
  /** Client address → its window's start and count. */
  windows: Map<string, { startMs: number; count: number }>;
}

/** The client windows a rate limit remembers before it forgets the oldest (a bound, as anvil's). */
const rateWindowsMax = 100_000;

export class SmtpServerSwitches {
  private readonly rateLimits: ActiveRateLimit[] = [];
  private readonly greylists: Greylist[] = [];
  private tlsOffCount = 0;

  addRateLimit(limit: RateLimit): () => void {
    return this.push(this.rateLimits, { limit, perSession: new WeakMap(), windows: new Map() });
  }

  /** `delayMs` null: postgrey's default (--delay 300). */
  addGreylist(delayMs: number | null): () => void {
    return this.push(this.greylists, new Greylist({ delayMs: delayMs ?? greylistDefaults.delayMs }));
  }

  addTlsOff(): () => void {
    this.tlsOffCount++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.tlsOffCount--;
    };
  }

  /** True while a `tls-off` fault is in force: STARTTLS is not offered and the implicit-TLS port resets. */
  get tlsOff(): boolean {
    return this.tlsOffCount > 0;
  }

  /** The greylist in force (the latest `greylist` fault's), or null. */
  get greylist(): Greylist | null {
    return this.greylists.at(-1) ?? null;
  }

  /** Counts one MAIL FROM of the session `connection` from `clientAddress`; the 421 when it is one too many. */
  mailOverLimit(connection: object, clientAddress: string, nowMs: number): SmtpReply | null {
    const active = this.rateLimits.at(-1);
    if (active === undefined) return null;
    const { limit } = active;
    let count: number;
    if (limit.perMs === null) {
      count = (active.perSession.get(connection) ?? 0) + 1;
      active.perSession.set(connection, count);
    } else {
      let window = active.windows.get(clientAddress);
      if (window === undefined || nowMs - window.startMs >= limit.perMs) {
        if (window === undefined && active.windows.size >= rateWindowsMax) active.windows.delete(active.windows.keys().next().value!);
        window = { startMs: nowMs, count: 0 };
        active.windows.set(clientAddress, window);
      }
      count = ++window.count;
    }
    if (count <= limit.messages) return null;
    return { code: limit.code, enhanced: '4.7.0', lines: [limit.text ?? `Error: too much mail from ${clientAddress}`] };
  }

  private push<T>(list: T[], item: T): () => void {
    list.push(item);
    return () => {
      const index = list.indexOf(item);
      if (index >= 0) list.splice(index, 1);
    };
  }
}
