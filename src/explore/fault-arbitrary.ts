/**
 * fast-check arbitraries for fault schedules (docs/reference.md §6), shared by `mailsim explore` (§13) and
 * the property suite (test/properties).
 *
 * A schedule is a list of faults in the scenario file's own shape (plain objects, durations written
 * with units), so a counterexample can be written out as YAML unchanged. It is generated as ORDERED
 * GAPS: each fault starts `gap` after the previous one, so every shrink of a gap or removal of a fault
 * still gives an ordered schedule inside `until` — shrinking never produces an invalid scenario.
 * Gaps are mostly short (faults cluster where the traffic is, where they matter) with the occasional
 * long one, anywhere up to `until`.
 *
 * Every action can be drawn: down/up, refuse, partition, latency, DNS failures, DNS record
 * replacements, scripted replies (4xx/5xx at every SMTP stage by default), drops after every stage
 * (after `dot` is the RFC 1047 window, docs/delivery.md E3) and flaky links. `healByMs` makes every fault
 * temporary and undone by then (the heal phase of a liveness check).
 */
import fc from 'fast-check';
import { formatDuration } from '../schema/units.js';
import { type SmtpStage, smtpStageNames } from '../protocols/smtp/stages.js';

import { type FaultKind, faultKindNames } from './names.js';

export { type FaultKind, faultKindNames };

/** One fault as written in a scenario file (docs/reference.md §6). */
export type PlainFault = Record<string, unknown>;

/** Temporary (4xx) and permanent (5xx) reply codes a scripted `reply` draws from, with matching enhanced codes (RFC 3463). */
export const defaultReplyCodes: readonly number[] = [421, 450, 451, 452, 550, 552, 554];

const replyTexts: Record<number, string> = {
  250: '2.0.0 Ok (scripted)',
  421: '4.3.2 Service not available (scripted)',
  450: '4.2.0 Try again later (scripted)',
  451: '4.3.0 Local error in processing (scripted)',
  452: '4.3.1 Insufficient system storage (scripted)',
  550: '5.1.1 Mailbox unavailable (scripted)',
  552: '5.3.4 Message too big (scripted)',
  554: '5.7.1 Transaction failed (scripted)',
};

/** The text a scripted reply carries: an enhanced code of the same class (RFC 2034, docs/delivery.md D7). */
export function scriptedReplyText(code: number): string {
  return replyTexts[code] ?? `${Math.floor(code / 100)}.0.0 Scripted reply`;
}

/** What a schedule may name, and how it is shaped. */
export interface FaultUniverse {
  /** Mail hosts faults may name (the scenario's hosts). */
  hosts: readonly string[];
  /** Names `dns` faults may fail (the scenario's DNS names and recipient domains). */
  dnsNames: readonly string[];
  /** Domains with MX records, for `dns-set` (a new MX set drawn from their exchanges). */
  mxDomains?: ReadonlyArray<{ domain: string; exchanges: readonly string[] }>;
  /** Faults start before this (the scenario's `until`). */
  untilMs: number;
  /** Most gaps are drawn within this window (where the traffic is); default: all of `until`. */
  focusMs?: number;
  /** Times worth aiming at (the traffic's sends): some faults start just before or after one. */
  anchorsMs?: readonly number[];
  /** Actions to draw; default all that the universe allows. */
  kinds?: readonly FaultKind[];
  /** Longest schedule (default 6). */
  faultsMax?: number;
  /** Codes for `reply` (default 4xx/5xx only: a scripted 2xx is a different server, not a fault). */
  replyCodes?: readonly number[];
  /** Stages for `reply` and `drop` (default all six). */
  stages?: readonly SmtpStage[];
  /** DNS failure rcodes (default servfail, timeout, nxdomain). */
  dnsRcodes?: ReadonlyArray<'servfail' | 'timeout' | 'nxdomain'>;
  /** If set, every fault is temporary and undone by this time (a heal phase follows). */
  healByMs?: number;
}

const secondMs = 1000;
/** A fault aimed at an anchor starts up to this long before it… */
const anchorLeadS = 30;
/** …or up to this long after it (a delivery takes seconds; retries come minutes later). */
const anchorLagS = 600;

/** The kinds a universe can actually draw (some need hosts, DNS names or MX domains). */
export function availableKinds(universe: FaultUniverse): FaultKind[] {
  const wanted = universe.kinds ?? faultKindNames;
  return wanted.filter((kind) => {
    if (kind === 'dns') return universe.dnsNames.length > 0;
    if (kind === 'dns-set') return (universe.mxDomains?.length ?? 0) > 0 && universe.healByMs === undefined;
    if (kind === 'up') return universe.hosts.length > 0 && universe.healByMs === undefined;
    if (kind === 'partition' || kind === 'latency') return universe.hosts.length >= 2;
    return universe.hosts.length > 0;
  });
}

/** How often each action is drawn: crashes and the SMTP-level faults, where mail semantics live, twice as often. */
const kindWeights: Record<FaultKind, number> = { down: 2, up: 1, refuse: 1, partition: 1, latency: 1, dns: 1, 'dns-set': 1, reply: 2, drop: 2, flaky: 1 };

/** `times: N`, `probability: p`, or neither (every occurrence while the fault lasts). */
function occurrenceArbitrary(): fc.Arbitrary<Record<string, number>> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }).map((times) => ({ times })) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((tenths) => ({ probability: tenths / 10 })) },
  );
}

function actionArbitrary(kind: FaultKind, universe: FaultUniverse): fc.Arbitrary<PlainFault> {
  const host = fc.constantFrom(...universe.hosts);
  const stages = universe.stages ?? smtpStageNames;
  // `dot` is drawn twice as often: it is the one stage where a fault means the server committed (E3).
  const stage = fc.oneof(...stages.map((name) => ({ weight: name === 'dot' ? 2 : 1, arbitrary: fc.constant(name) })));
  switch (kind) {
    case 'down':
      return host.map((name) => ({ down: name }));
    case 'up':
      return host.map((name) => ({ up: name }));
    case 'refuse':
      return host.map((name) => ({ refuse: name }));
    case 'flaky':
      return fc.tuple(host, fc.integer({ min: 1, max: 9 })).map(([name, tenths]) => ({ flaky: name, probability: tenths / 10 }));
    case 'partition':
      // Two groups drawn from the hosts; hosts not named stay connected to all (§6).
      return fc
        .uniqueArray(fc.constantFrom(...universe.hosts), { minLength: 2, maxLength: universe.hosts.length })
        .chain((named) => fc.integer({ min: 1, max: named.length - 1 }).map((split) => ({ partition: [named.slice(0, split), named.slice(split)] })));
    case 'latency':
      return fc
        .tuple(fc.uniqueArray(fc.constantFrom(...universe.hosts), { minLength: 2, maxLength: 2 }), fc.integer({ min: 1, max: 5000 }))
        .map(([between, valueMs]) => ({ latency: { between, value: formatDuration(valueMs) } }));
    case 'dns':
      return fc
        .tuple(fc.constantFrom(...universe.dnsNames), fc.constantFrom(...(universe.dnsRcodes ?? (['servfail', 'timeout', 'nxdomain'] as const))), fc.constantFrom(null, 'mx', 'a'))
        .map(([name, rcode, type]) => ({ dns: type === null ? { name, rcode } : { name, type, rcode } }));
    case 'dns-set': {
      const domains = universe.mxDomains ?? [];
      return fc
        .constantFrom(...domains)
        .chain(({ domain, exchanges }) =>
          fc
            .uniqueArray(fc.constantFrom(...exchanges), { minLength: 1, maxLength: exchanges.length })
            .chain((chosen) => fc.array(fc.integer({ min: 0, max: 30 }), { minLength: chosen.length, maxLength: chosen.length }).map((prefs) => ({ chosen, prefs })))
            .map(({ chosen, prefs }) => ({ 'dns-set': { [domain]: { mx: chosen.map((exchange, i) => `${prefs[i] ?? 10} ${exchange}`) } } })),
        );
    }
    case 'reply':
      return fc
        .tuple(host, stage, fc.constantFrom(...(universe.replyCodes ?? defaultReplyCodes)), occurrenceArbitrary())
        .map(([name, on, code, occurrences]) => ({ reply: { host: name, on, code, text: scriptedReplyText(code), ...occurrences } }));
    case 'drop':
      return fc.tuple(host, stage, occurrenceArbitrary()).map(([name, after, occurrences]) => ({ drop: { host: name, after, ...occurrences } }));
  }
}

/**
 * When a fault starts: `gapS` after the previous fault, or near an anchor (`offsetS` from it, but
 * never before the previous fault — the order holds whatever a shrink does).
 */
type FaultTiming = { gapS: number } | { anchor: number; offsetS: number };

/** One fault before its start time is known: when, the action, how long it lasts. */
interface FaultDraft {
  timing: FaultTiming;
  action: PlainFault;
  /** null: permanent (never undone). */
  lengthS: number | null;
}

/**
 * A fault schedule as ordered gaps: fault i starts at the sum of the first i+1 gaps (capped inside
 * `until`, or inside `healByMs`). An empty universe gives the empty schedule.
 */
export function faultScheduleArbitrary(universe: FaultUniverse): fc.Arbitrary<PlainFault[]> {
  const kinds = availableKinds(universe);
  if (kinds.length === 0) return fc.constant([]);
  const horizonMs = Math.max(secondMs, universe.healByMs ?? universe.untilMs);
  const horizonS = Math.max(1, Math.floor(horizonMs / secondMs) - 1);
  const focusS = Math.max(1, Math.min(horizonS, Math.floor((universe.focusMs ?? horizonMs) / secondMs)));
  const gap = (maxS: number): fc.Arbitrary<FaultTiming> => fc.integer({ min: 0, max: maxS }).map((gapS) => ({ gapS }));
  const anchorsS = (universe.anchorsMs ?? []).map((ms) => Math.floor(ms / secondMs)).filter((s) => s <= horizonS);
  const timings: Array<fc.WeightedArbitrary<FaultTiming>> = [
    { weight: 3, arbitrary: gap(Math.min(120, horizonS)) },
    { weight: 2, arbitrary: gap(focusS) },
    { weight: 1, arbitrary: gap(horizonS) },
  ];
  if (anchorsS.length > 0) {
    // Mostly just before the send (the fault is in place when the mail arrives), sometimes after it.
    const offsetS = fc.oneof({ weight: 2, arbitrary: fc.integer({ min: -anchorLeadS, max: 0 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: anchorLagS }) });
    const near = fc.record({ anchor: fc.integer({ min: 0, max: anchorsS.length - 1 }), offsetS });
    timings.push({ weight: 4, arbitrary: near.map(({ anchor, offsetS }) => ({ anchor: anchorsS[anchor] ?? 0, offsetS })) });
  }
  const timing = fc.oneof(...timings);
  const finite = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: horizonS }) });
  const length = universe.healByMs !== undefined ? finite : fc.option(finite, { nil: null, freq: 4 });
  const action = fc.oneof(...kinds.map((kind) => ({ weight: kindWeights[kind], arbitrary: actionArbitrary(kind, universe) })));
  const draft: fc.Arbitrary<FaultDraft> = fc.record({ timing, action, lengthS: length });
  return fc.array(draft, { maxLength: universe.faultsMax ?? 6 }).map((drafts) => placeFaults(drafts, horizonS, universe.healByMs));
}

function placeFaults(drafts: readonly FaultDraft[], horizonS: number, healByMs: number | undefined): PlainFault[] {
  const out: PlainFault[] = [];
  let atS = 0;
  for (const draft of drafts) {
    const wantedS = 'gapS' in draft.timing ? atS + draft.timing.gapS : Math.max(atS, draft.timing.anchor + draft.timing.offsetS);
    atS = Math.min(horizonS, wantedS);
    const fault: PlainFault = { at: formatDuration(atS * secondMs) };
    if (draft.lengthS !== null) {
      let untilMs = (atS + draft.lengthS) * secondMs;
      if (healByMs !== undefined) untilMs = Math.min(untilMs, healByMs);
      fault.until = formatDuration(Math.max(untilMs, atS * secondMs));
    }
    Object.assign(fault, draft.action);
    out.push(fault);
  }
  return out;
}
