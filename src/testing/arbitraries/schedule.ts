/**
 * fast-check arbitraries for fault schedules (docs/reference.md §6), over a FaultUniverse: the one
 * schedule generator behind `faultSchedule` (mailsim/testing), `mailsim explore` (§13) and the property
 * suite (test/properties).
 *
 * A schedule is a list of faults in the scenario file's own shape (plain objects, durations written
 * with units), so a counterexample can be written out as YAML unchanged. It is generated as ORDERED
 * GAPS: each fault starts `gap` after the previous one, so every shrink of a gap or removal of a fault
 * still gives an ordered schedule inside `until` — shrinking never produces an invalid scenario.
 * Gaps are mostly short (faults cluster where the traffic is, where they matter) with the occasional
 * long one, anywhere up to `until`.
 *
 * Every kind of src/faults/ can be drawn; each kind says how (its `draw`: weight, what it needs of
 * the universe, its arbitrary). `healByMs` makes every fault temporary and undone by then (the heal
 * phase of a liveness check). `fromMs` shifts every start into a window; `weights` replace the kinds'
 * own; `chanceRate` gives some faults a `chance:` (absent, as for explore, nothing extra is drawn, so a
 * seed draws the same schedules as before these options existed).
 */
import fc from 'fast-check';
import { type AnyFaultKind, type FaultKindName, faultKindNamed, faultKindNames } from '../../faults/index.js';
import type { PlainFault } from '../../faults/kind.js';
import type { FaultUniverse } from '../../faults/universe.js';
import { formatDuration } from '../../schema/units.js';

export { type FaultKindName, faultKindNames, type FaultUniverse, type PlainFault };

const secondMs = 1000;
/** A fault aimed at an anchor starts up to this long before it… */
const anchorLeadS = 30;
/** …or up to this long after it (a delivery takes seconds; retries come minutes later). */
const anchorLagS = 600;

/** The kinds a universe can actually draw (some need hosts, DNS names or MX domains), in the order asked for. */
export function availableKinds(universe: FaultUniverse): AnyFaultKind[] {
  const wanted = universe.kinds ?? faultKindNames;
  return wanted.flatMap((name) => {
    const kind = faultKindNamed(name);
    if (kind === undefined) throw new Error(`unknown fault kind ${name}; known: ${faultKindNames.join(', ')}`);
    return kind.draw.available(universe) ? [kind] : [];
  });
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
  /** The fault's `chance:` (drawn only with a `chanceRate`); null or absent: it always happens. */
  chance?: number | null;
}

/**
 * A fault schedule as ordered gaps: fault i starts at the sum of the first i+1 gaps (capped inside
 * `until`, or inside `healByMs`). An empty universe gives the empty schedule.
 */
export function faultScheduleArbitrary(universe: FaultUniverse): fc.Arbitrary<PlainFault[]> {
  const kinds = availableKinds(universe).filter((kind) => weightOf(universe, kind) > 0);
  if (kinds.length === 0) return fc.constant([]);
  const fromS = Math.floor((universe.fromMs ?? 0) / secondMs);
  const horizonMs = Math.max(secondMs, (universe.healByMs ?? universe.untilMs) - fromS * secondMs);
  const horizonS = Math.max(1, Math.floor(horizonMs / secondMs) - 1);
  const focusS = Math.max(1, Math.min(horizonS, Math.floor(((universe.focusMs ?? horizonMs) - fromS * secondMs) / secondMs)));
  const gap = (maxS: number): fc.Arbitrary<FaultTiming> => fc.integer({ min: 0, max: maxS }).map((gapS) => ({ gapS }));
  const anchorsS = (universe.anchorsMs ?? []).map((ms) => Math.floor(ms / secondMs) - fromS).filter((s) => s >= 0 && s <= horizonS);
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
  const action = fc.oneof(...kinds.map((kind) => ({ weight: weightOf(universe, kind), arbitrary: kind.draw.arbitrary(universe, fc) })));
  const chance = chanceArbitrary(universe.chanceRate);
  const draft: fc.Arbitrary<FaultDraft> = chance === null ? fc.record({ timing, action, lengthS: length }) : fc.record({ timing, action, lengthS: length, chance });
  return fc.array(draft, { maxLength: universe.faultsMax ?? 6 }).map((drafts) => placeFaults(drafts, { fromS, horizonS, healByMs: universe.healByMs }));
}

function weightOf(universe: FaultUniverse, kind: AnyFaultKind): number {
  return universe.weights?.[kind.name] ?? kind.draw.weight;
}

/** A fault's `chance:` in tenths, absent (null) with probability 1 − rate; shrinks to absent. */
function chanceArbitrary(rate: number | undefined): fc.Arbitrary<number | null> | null {
  if (rate === undefined || rate <= 0) return null;
  const percent = Math.round(Math.min(1, rate) * 100);
  return fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary: fc.integer({ min: 1, max: 9 }).map((tenths) => tenths / 10) });
}

function placeFaults(drafts: readonly FaultDraft[], frame: { fromS: number; horizonS: number; healByMs: number | undefined }): PlainFault[] {
  const out: PlainFault[] = [];
  let atS = 0;
  for (const draft of drafts) {
    const wantedS = 'gapS' in draft.timing ? atS + draft.timing.gapS : Math.max(atS, draft.timing.anchor + draft.timing.offsetS);
    atS = Math.min(frame.horizonS, wantedS);
    const startS = frame.fromS + atS;
    const fault: PlainFault = { at: formatDuration(startS * secondMs) };
    if (draft.lengthS !== null) {
      let untilMs = (startS + draft.lengthS) * secondMs;
      if (frame.healByMs !== undefined) untilMs = Math.min(untilMs, frame.healByMs);
      fault.until = formatDuration(Math.max(untilMs, startS * secondMs));
    }
    Object.assign(fault, draft.action);
    if (draft.chance !== undefined && draft.chance !== null) fault.chance = draft.chance;
    out.push(fault);
  }
  return out;
}
