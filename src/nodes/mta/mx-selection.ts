/**
 * Choosing where to deliver a domain's mail (RFC 5321 §5.1, RFC 7505; docs/delivery.md M1–M8). Pure: the
 * DNS answers, the local host's names and the seeded shuffle come in as arguments.
 *
 * Step 1 — `selectMxCandidates` turns the MX answer into an ordered list of exchanges, or a decision:
 *   - NXDOMAIN → bounce 5.4.4; SERVFAIL / timeout → defer 4.4.3 (M2).
 *   - No MX records (NODATA) → implicit MX: the domain itself at preference 0 (M3). If any MX exists
 *     the domain's own A/AAAA is never used.
 *   - Null MX `0 .` → bounce 5.1.10 at once, never fall back to A/AAAA (M8, RFC 7505 §3). Any "."
 *     exchange in the answer is taken as the domain's statement that it accepts no mail.
 *   - Ascending preference; equal preferences shuffled by the caller's seeded shuffle (M4).
 *   - If this host is an exchange, drop its preference and every worse one; nothing left → bounce
 *     5.4.6 "mail for D loops back to myself" (M6: a backup MX never delivers to itself or a worse MX).
 * A `routes` entry (transport map or smarthost) short-circuits all of this: the route's host is the
 * one candidate, looked up by address only (docs/reference.md §5). An exact domain beats `"*"`.
 *
 * Step 2 — `planAddresses` resolves candidates into at most `mx-addresses` (5) addresses, in candidate
 * order (M5); an exchange that resolves to one of this host's own addresses is treated like M6. No
 * candidate with any address → bounce 5.4.4 (M7), or defer 4.4.3 when a lookup failed temporarily.
 *
 * Step 3 — an `AttemptCursor` walks the plan during one delivery attempt. Refused, timed-out, dropped
 * connections and 4xx/5xx greetings move on to the next address (R6; Postfix skips 5xx greeters too,
 * smtp_skip_5xx_greeting); a session that completed the handshake counts against `mx-sessions` (2),
 * which Postfix counts only for sessions that got through the initial handshake.
 */
import { canonicalName } from '../../dns/names.js';

export interface MxRecord {
  preference: number;
  exchange: string;
}

/** What the resolver said about the domain's MX records. */
export type MxAnswer =
  | { kind: 'records'; records: readonly MxRecord[] }
  /** The domain exists but has no MX records (NODATA): implicit MX (M3). */
  | { kind: 'no-records' }
  | { kind: 'nxdomain' }
  /** SERVFAIL or a lookup timeout. */
  | { kind: 'temporary-failure'; detail?: string };

export interface MxCandidate {
  preference: number;
  /** Lower-case, without a trailing dot. */
  exchange: string;
  /** True for the domain itself under M3, or a route's host: look up A/AAAA only. */
  implicit: boolean;
}

/** A decision that ends the attempt without connecting anywhere. */
export type RoutingDecision =
  | { kind: 'bounce'; status: '5.1.10' | '5.4.4' | '5.4.6'; text: string }
  | { kind: 'defer'; status: '4.4.3'; text: string };

export type MxSelection = { kind: 'candidates'; candidates: MxCandidate[]; via: 'mx' | 'implicit-mx' | 'route' } | RoutingDecision;

/** Seeded shuffle supplied by the caller (the kernel's stream for this host): returns a permutation. */
export type Shuffle = <T>(items: T[]) => T[];

/** Transport map / smarthost (docs/reference.md §5 `routes`): `{ DOMAIN: HOST }`, `"*"` for every domain. */
export type Routes = Readonly<Record<string, string>>;

export const mxAddressesMaxDefault = 5; // Postfix smtp_mx_address_limit
export const mxSessionsMaxDefault = 2; // Postfix smtp_mx_session_limit
/** A bound on MX records considered, so a huge answer costs bounded work. */
export const mxRecordsMax = 100;

const isNullExchange = (exchange: string) => {
  const name = exchange.trim();
  return name === '.' || name === '';
};

/**
 * The route for a domain, if any: an exact (case-insensitive) domain entry wins over `"*"`. Returns
 * the route's host, or null to use MX lookup.
 */
export function routeFor(domain: string, routes: Routes | undefined): string | null {
  if (!routes) return null;
  const wanted = canonicalName(domain);
  for (const [key, host] of Object.entries(routes)) {
    if (key !== '*' && canonicalName(key) === wanted) return canonicalName(host);
  }
  const wildcard = routes['*'];
  return wildcard === undefined ? null : canonicalName(wildcard);
}

/** Sorts by preference ascending and shuffles each run of equal preferences with `shuffle` (M4). */
export function orderByPreference<T extends { preference: number }>(records: readonly T[], shuffle: Shuffle): T[] {
  if (records.length < 2) return [...records]; // the common single MX: nothing to sort or shuffle
  const byPreference = new Map<number, T[]>();
  for (const record of records) {
    const group = byPreference.get(record.preference);
    if (group) group.push(record);
    else byPreference.set(record.preference, [record]);
  }
  const preferences = [...byPreference.keys()].sort((a, b) => a - b);
  const ordered: T[] = [];
  for (const preference of preferences) {
    const group = byPreference.get(preference)!;
    ordered.push(...(group.length > 1 ? shuffle([...group]) : group));
  }
  return ordered;
}

function loopsBack(domain: string): RoutingDecision {
  return { kind: 'bounce', status: '5.4.6', text: `mail for ${domain} loops back to myself` };
}

/**
 * Turns the MX answer for `domain` into ordered candidates or a decision (M2–M4, M6, M8), unless a
 * route applies. `localNames` are this host's own names (its hostname and any aliases).
 */
export function selectMxCandidates(input: {
  domain: string;
  answer: MxAnswer;
  localNames: readonly string[];
  shuffle: Shuffle;
  routes?: Routes;
}): MxSelection {
  const domain = canonicalName(input.domain);
  // A host has a handful of names: an array is cheaper to build than a Set, per attempt.
  const local = input.localNames.map(canonicalName);

  const routed = routeFor(domain, input.routes);
  if (routed !== null) {
    if (local.includes(routed)) return loopsBack(domain);
    return { kind: 'candidates', candidates: [{ preference: 0, exchange: routed, implicit: true }], via: 'route' };
  }

  const answer = input.answer;
  switch (answer.kind) {
    case 'nxdomain':
      return { kind: 'bounce', status: '5.4.4', text: `Host or domain name not found: ${domain} (NXDOMAIN)` };
    case 'temporary-failure':
      return {
        kind: 'defer',
        status: '4.4.3',
        text: `Host or domain name lookup failed temporarily: ${domain}${answer.detail ? ` (${answer.detail})` : ''}`,
      };
    case 'no-records':
      // M3: implicit MX, preference 0, the domain's own address records.
      if (local.includes(domain)) return loopsBack(domain);
      return { kind: 'candidates', candidates: [{ preference: 0, exchange: domain, implicit: true }], via: 'implicit-mx' };
    case 'records':
      break;
  }

  const records = answer.records.slice(0, mxRecordsMax);
  // M8 / RFC 7505: null MX — no delivery, no fallback.
  if (records.some((record) => isNullExchange(record.exchange))) {
    return { kind: 'bounce', status: '5.1.10', text: `domain ${domain} does not accept mail (nullMX)` };
  }
  if (records.length === 0) {
    // An empty answer is NODATA by another name: implicit MX (M3).
    return selectMxCandidates({ ...input, answer: { kind: 'no-records' } });
  }

  // M6: our own best preference bounds what we may use.
  let ownPreference = Number.POSITIVE_INFINITY;
  for (const record of records) {
    if (local.includes(canonicalName(record.exchange))) ownPreference = Math.min(ownPreference, record.preference);
  }
  const usable = records
    .filter((record) => record.preference < ownPreference)
    .map((record) => ({ preference: record.preference, exchange: canonicalName(record.exchange), implicit: false }));
  if (usable.length === 0) return loopsBack(domain);
  return { kind: 'candidates', candidates: orderByPreference(usable, input.shuffle), via: 'mx' };
}

// ---------------------------------------------------------------------------------------------------
// Addresses

/** What the resolver said about one candidate's A/AAAA records (in the order to try them). */
export type AddressAnswer =
  | { kind: 'addresses'; addresses: readonly string[] }
  | { kind: 'nxdomain' }
  | { kind: 'no-records' }
  | { kind: 'temporary-failure'; detail?: string };

export interface AddressTarget {
  exchange: string;
  preference: number;
  address: string;
}

export type AddressPlan = { kind: 'plan'; targets: AddressTarget[] } | RoutingDecision;

/**
 * Resolves the candidates into the addresses one attempt may try: candidate order, then address
 * order, at most `mxAddressesMax` in all (M5). An exchange on one of `localAddresses` ends the list
 * there (M6 by address); candidates without addresses are skipped (M7).
 */
export function planAddresses(input: {
  domain: string;
  candidates: readonly MxCandidate[];
  resolve: (exchange: string) => AddressAnswer;
  localAddresses?: readonly string[];
  mxAddressesMax?: number;
}): AddressPlan {
  const domain = canonicalName(input.domain);
  const limit = input.mxAddressesMax ?? mxAddressesMaxDefault;
  const local = input.localAddresses ?? []; // a handful of addresses: no Set needed
  const targets: AddressTarget[] = [];
  let temporaryFailure: string | null = null;
  let reachedSelf = false;
  for (const candidate of input.candidates) {
    const answer = input.resolve(candidate.exchange);
    if (answer.kind === 'temporary-failure') {
      temporaryFailure = `lookup of ${candidate.exchange} failed temporarily${answer.detail ? ` (${answer.detail})` : ''}`;
      continue;
    }
    if (answer.kind !== 'addresses') continue;
    if (answer.addresses.some((address) => local.includes(address))) {
      reachedSelf = true;
      break;
    }
    for (const address of answer.addresses) {
      if (targets.length >= limit) break;
      targets.push({ exchange: candidate.exchange, preference: candidate.preference, address });
    }
    if (targets.length >= limit) break;
  }
  if (targets.length > 0) return { kind: 'plan', targets };
  if (reachedSelf) return loopsBack(domain);
  if (temporaryFailure !== null) return { kind: 'defer', status: '4.4.3', text: temporaryFailure };
  const names = input.candidates.map((candidate) => candidate.exchange).join(', ');
  return { kind: 'bounce', status: '5.4.4', text: `Host or domain name not found: no address for ${names || domain}` };
}

// ---------------------------------------------------------------------------------------------------
// The cursor one attempt walks

/** How a connection to one address went, as far as choosing the next address goes. */
export type ConnectOutcome =
  | 'refused'
  | 'timeout'
  | 'dropped'
  | 'greeting-4xx'
  | 'greeting-5xx'
  /** The SMTP handshake completed; whatever happened next, it used one of the mx-sessions. */
  | 'session';

export class AttemptCursor {
  private index = 0;
  private sessions = 0;
  private readonly history: Array<{ target: AddressTarget; outcome: ConnectOutcome }> = [];

  constructor(
    readonly targets: readonly AddressTarget[],
    readonly mxSessionsMax: number = mxSessionsMaxDefault,
  ) {}

  /** The address to connect to now, or null when this attempt has nothing left to try. */
  current(): AddressTarget | null {
    if (this.sessions >= this.mxSessionsMax) return null;
    return this.targets[this.index] ?? null;
  }

  /**
   * Records how the current address went and moves on. After a 'session' the caller moves on only
   * if recipients are still pending (a soft failure at this MX, R6); it calls `finish` otherwise.
   */
  advance(outcome: ConnectOutcome): AddressTarget | null {
    const target = this.targets[this.index];
    if (target === undefined) throw new Error('AttemptCursor.advance called with nothing left to try');
    this.history.push({ target, outcome });
    if (outcome === 'session') this.sessions++;
    this.index++;
    return this.current();
  }

  /** True when this attempt has used up its addresses or sessions: pending recipients are deferred. */
  exhausted(): boolean {
    return this.current() === null;
  }

  sessionsUsed(): number {
    return this.sessions;
  }

  tried(): ReadonlyArray<{ target: AddressTarget; outcome: ConnectOutcome }> {
    return this.history;
  }
}
