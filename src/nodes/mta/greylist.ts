/**
 * Greylisting with postgrey's semantics (docs/delivery.md §11; postgrey(8)).
 *
 * The key is the triplet (client network, envelope sender, recipient); the client network is the /24
 * of an IPv4 address (postgrey's default --lookup-by-subnet, so a sender's pool of outbound servers
 * counts as one) and the /64 of an IPv6 address. The first attempt for a triplet is recorded and
 * refused with `450 4.2.0` (a temporary failure, RFC 5321 §4.2.1, so a compliant MTA retries). A
 * retry once `delayMs` has passed since the first attempt is accepted; so is everything after it.
 * A triplet whose sender never came back within `retryWindowMs` (postgrey --retry-window, 2 days) is
 * forgotten and starts over; a passed triplet is kept until `maxAgeMs` (postgrey --max-age, 35 days)
 * without traffic.
 *
 * State is a small class; time is an argument. It holds at most `tripletsMax` entries: when full,
 * the least recently seen triplet is dropped (its sender will simply be greylisted again).
 */
import type { SmtpReply } from '../../protocols/smtp/types.js';

export interface GreylistOptions {
  /** postgrey --delay (300 s). */
  delayMs: number;
  /** postgrey --retry-window (2 days). */
  retryWindowMs: number;
  /** postgrey --max-age (35 days). */
  maxAgeMs: number;
  /** The cap on stored triplets. */
  tripletsMax: number;
}

export const greylistDefaults: Readonly<GreylistOptions> = {
  delayMs: 300_000,
  retryWindowMs: 2 * 86_400_000,
  maxAgeMs: 35 * 86_400_000,
  tripletsMax: 100_000,
};

export type GreylistVerdict =
  | { verdict: 'pass'; /** first time this triplet passed (a retry after greylisting). */ firstPass: boolean }
  | { verdict: 'greylisted'; reply: SmtpReply; /** when a retry will be accepted */ retryAfterMs: number };

interface TripletState {
  firstSeenMs: number;
  lastSeenMs: number;
  passed: boolean;
}

/** The client's network as postgrey keys it: IPv4 /24, IPv6 /64; anything else as given. */
export function clientNetwork(address: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (address.includes(':')) {
    const groups = expandIpv6(address);
    if (groups !== null) return `${groups.slice(0, 4).join(':')}::/64`;
  }
  return address.toLowerCase();
}

/** Expands an IPv6 address to 8 lower-case groups without leading zeros, or null if malformed. */
function expandIpv6(address: string): string[] | null {
  const lower = address.toLowerCase().replace(/^\[|\]$/g, '').replace(/^ipv6:/, '');
  const halves = lower.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}

export class Greylist {
  readonly options: Readonly<GreylistOptions>;
  private readonly triplets = new Map<string, TripletState>();

  constructor(options: Partial<GreylistOptions> & { delayMs: number }) {
    this.options = { ...greylistDefaults, ...options };
    if (!(this.options.delayMs >= 0)) throw new RangeError('greylist delay must be ≥ 0');
    if (!(Number.isInteger(this.options.tripletsMax) && this.options.tripletsMax >= 1)) {
      throw new RangeError('greylist tripletsMax must be a positive integer');
    }
  }

  /** The key of a triplet; sender and recipient compare case-insensitively, as postgrey lower-cases them. */
  static key(clientAddress: string, sender: string, recipient: string): string {
    return `${clientNetwork(clientAddress)}/${sender.toLowerCase()}/${recipient.toLowerCase()}`;
  }

  /** Decides one RCPT: records the triplet and answers pass or 450 4.2.0. */
  check(input: { clientAddress: string; sender: string; recipient: string; nowMs: number }): GreylistVerdict {
    const key = Greylist.key(input.clientAddress, input.sender, input.recipient);
    const { delayMs, retryWindowMs, maxAgeMs } = this.options;
    let state = this.triplets.get(key);
    if (state !== undefined) {
      const stale = state.passed ? input.nowMs - state.lastSeenMs > maxAgeMs : input.nowMs - state.firstSeenMs > retryWindowMs;
      if (stale) state = undefined;
    }
    if (state === undefined) {
      state = { firstSeenMs: input.nowMs, lastSeenMs: input.nowMs, passed: false };
      this.remember(key, state);
      return this.greylisted(state);
    }
    state.lastSeenMs = input.nowMs;
    this.remember(key, state);
    if (state.passed) return { verdict: 'pass', firstPass: false };
    if (input.nowMs - state.firstSeenMs >= delayMs) {
      state.passed = true;
      return { verdict: 'pass', firstPass: true };
    }
    return this.greylisted(state);
  }

  /** Number of stored triplets (bounded by tripletsMax). */
  size(): number {
    return this.triplets.size;
  }

  /** Re-inserts so Map order is least-recently-seen first; evicts the oldest when over the cap. */
  private remember(key: string, state: TripletState): void {
    this.triplets.delete(key);
    this.triplets.set(key, state);
    while (this.triplets.size > this.options.tripletsMax) {
      const oldest = this.triplets.keys().next().value;
      if (oldest === undefined) break;
      this.triplets.delete(oldest);
    }
  }

  private greylisted(state: TripletState): GreylistVerdict {
    const retryAfterMs = state.firstSeenMs + this.options.delayMs;
    const seconds = Math.ceil(this.options.delayMs / 1000);
    return {
      verdict: 'greylisted',
      retryAfterMs,
      // postgrey's reply: 450 with enhanced 4.2.0 (RFC 3463 "other or undefined mailbox status").
      reply: { code: 450, enhanced: '4.2.0', lines: [`Greylisted, please try again in ${seconds} seconds`] },
    };
  }
}
