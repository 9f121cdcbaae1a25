/**
 * The statistics of a sweep's summary (the contract: src/sweep/summary-types.ts): proportions with
 * Wilson intervals, type-7 quantiles with percentile-bootstrap intervals, the delay CDF's steps, and
 * the seeded uniform stream the bootstrap draws from. Pure functions: no I/O, no wall clock, and no
 * randomness but the caller's `random` (docs/architecture.md rule 1), so a summary is a function of
 * its rows and its key.
 *
 * Theory of operation.
 * - Proportions: the Wilson score interval (E. B. Wilson, JASA 22, 1927; recommended by Agresti &
 *   Coull, Am. Stat. 52, 1998, and Newcombe, Stat. Med. 17, 1998, whose Table I the tests pin):
 *   centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²),
 *   z = Φ⁻¹((1 + c)/2). In exact arithmetic it stays in [0, 1]; the ends are clamped against rounding,
 *   and 0 of n and n of n give exactly 0 and 1.
 * - Φ⁻¹ (`normalQuantile`): Wichura's AS 241 (PPND16), Applied Statistics 37(3), 1988, 477–484 — three
 *   rational approximations, relative error about 1e-16 — the algorithm of R's qnorm and Python's
 *   statistics.NormalDist.inv_cdf. The coefficients are the paper's, written as the shortest decimals
 *   of the same doubles.
 * - Quantiles: Hyndman & Fan (Am. Stat. 50, 1996) type 7, numpy's and R's default: with h = (n − 1)q,
 *   x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋]) over the ascending values, 0-based.
 * - Quantile intervals: the percentile bootstrap (Efron & Tibshirani, An Introduction to the Bootstrap,
 *   1993, ch. 13). Each of `resamples` resamples is n values drawn with replacement; its statistic is
 *   its type-7 quantile; the interval is the type-7 (1 − c)/2 and (1 + c)/2 quantiles of the
 *   statistics. A type-7 quantile reads only the order statistics at ranks ⌊h⌋ and ⌊h⌋ + 1, so a
 *   resample need only yield those, two ways (`bootstrapMethod`):
 *   - 'resampling', while n × resamples ≤ `bootstrapWorkMax` (2e7): the data are sorted once; a
 *     resample is n uniform indices into them, tallied per index (no sort per resample: O(n)), and a
 *     walk up the cumulative tallies finds the order statistics at the ranks wanted.
 *   - 'order-statistics', above it (2e7 draws take about 1 s, so 100k delays × 1000 resamples would
 *     take several seconds a point): the sorted indices of n uniform draws are ⌊n·U(k)⌋, U(1) ≤ … ≤ U(n)
 *     the order statistics of n uniforms on [0, 1), and the few ranks wanted can be drawn directly,
 *     ascending: given U(a) = u, U(b) = u + (1 − u)·Beta(b − a, n − b + 1) (variates.ts). The same
 *     distribution as resampling, exactly, for O(ranks) gamma draws a resample instead of n uniforms;
 *     the draws differ, so the two ways give different, equally valid, intervals for one key.
 *   A percentile interval contains the estimate for any sizeable number of resamples, but is not
 *   forced to: with very few resamples it may not.
 * - `seededRandom`: seedrandom's default ARC4 generator (as src/sim/random.ts), seeded with the key
 *   itself (`${sweepHash}:point:${n}`; the simulation's seeds are JSON arrays, so no key is one of them).
 * - `stepCdf`: one step per distinct delay, y = the share of `total` delivered at or before it; past
 *   `maxSteps`, the steps at evenly spaced indices, which always keeps the first and the last.
 */
import seedrandom from 'seedrandom';
import type { Estimate, Proportion } from './summary-types.js';
import { beta } from './variates.js';

/** Above this many uniform draws (values × resamples) the bootstrap draws order statistics instead of resamples. */
export const bootstrapWorkMax = 2e7;
/** The most bootstrap resamples a call may ask for (each keeps one number per quantile). */
export const bootstrapResamplesMax = 1_000_000;

// AS 241 coefficients (Wichura 1988): numerator and denominator of each region, lowest power first.
const centralNum = [3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087, 33430.57558358813, 2509.0809287301227];
const centralDen = [1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943, 5226.495278852854];
const nearNum = [1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506, 0.022723844989269184, 0.0007745450142783414];
const nearDen = [1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9];
const farNum = [6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7];
const farDen = [1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15];

/** Σ coefficients[i]·x^i by Horner's rule. */
function polynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) sum = sum * x + coefficients[i]!;
  return sum;
}

/** Φ⁻¹(p), the standard normal quantile (AS 241); ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile(${p}): p must be in [0, 1]`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(centralNum, r)) / polynomial(centralDen, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const tail = r <= 5 ? polynomial(nearNum, r - 1.6) / polynomial(nearDen, r - 1.6) : polynomial(farNum, r - 5) / polynomial(farDen, r - 5);
  return q < 0 ? -tail : tail;
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence}: must be strictly between 0 and 1`);
}

/** `count` of `n` with its Wilson score interval at `confidence`; p, low and high are null when n is 0. */
export function wilson(count: number, n: number, confidence = 0.95): Proportion {
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(count) || count < 0 || count > n) {
    throw new RangeError(`wilson(${count}, ${n}): need whole numbers with 0 ≤ count ≤ n`);
  }
  checkConfidence(confidence);
  if (n === 0) return { count, n, p: null, low: null, high: null };
  const z = normalQuantile((1 + confidence) / 2);
  const p = count / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  const low = count === 0 ? 0 : Math.max(0, centre - half);
  const high = count === n ? 1 : Math.min(1, centre + half);
  return { count, n, p, low, high };
}

function checkAscending(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]) || (i > 0 && values[i - 1]! > values[i]!)) {
      throw new RangeError(`${what}: the values must be finite and ascending (index ${i} is ${values[i]})`);
    }
  }
}

function checkProbability(q: number, what: string): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`${what}: q = ${q} is not in [0, 1]`);
}

/** Type 7 over ascending values, unchecked (the callers check). */
function typeSeven(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const fraction = h - low;
  const below = sorted[low]!;
  return fraction === 0 ? below : below + fraction * (sorted[low + 1]! - below);
}

/** The Hyndman–Fan type-7 quantile of ascending values (numpy's and R's default). */
export function quantile(sortedAscending: readonly number[], q: number): number {
  if (sortedAscending.length === 0) throw new RangeError('quantile of no values');
  checkProbability(q, 'quantile');
  checkAscending(sortedAscending, 'quantile');
  return typeSeven(sortedAscending, q);
}

/** The two ways `bootstrapQuantiles` draws a resample's order statistics (the file's header). */
export type BootstrapMethod = 'resampling' | 'order-statistics';

/** Which way `bootstrapQuantiles` draws for n values and `resamples` resamples, unless told. */
export function bootstrapMethod(n: number, resamples: number): BootstrapMethod {
  return n * resamples > bootstrapWorkMax ? 'order-statistics' : 'resampling';
}

/** The order-statistic ranks (0-based, ascending, distinct) the type-7 quantiles `qs` of n values read, and where each q finds its two. */
interface RankPlan {
  ranks: number[];
  lowSlot: number[];
  highSlot: number[];
  fraction: number[];
}

function planRanks(n: number, qs: readonly number[]): RankPlan {
  const wanted = new Set<number>();
  for (const q of qs) {
    const h = (n - 1) * q;
    wanted.add(Math.floor(h));
    if (h > Math.floor(h)) wanted.add(Math.floor(h) + 1);
  }
  const ranks = [...wanted].sort((a, b) => a - b);
  const slotOf = new Map(ranks.map((rank, slot) => [rank, slot]));
  const lows = qs.map((q) => Math.floor((n - 1) * q));
  return {
    ranks,
    lowSlot: lows.map((low) => slotOf.get(low)!),
    highSlot: lows.map((low) => slotOf.get(low + 1) ?? slotOf.get(low)!),
    fraction: qs.map((q, j) => (n - 1) * q - lows[j]!),
  };
}

/** Fills `out[k]` with one resample's order statistic at `ranks[k]`. */
type OrderDraw = (out: Float64Array) => void;

/** n uniform indices into the sorted data, tallied, then read off at the ranks (O(n) a resample). */
function byResampling(sorted: Float64Array, ranks: readonly number[], random: () => number): OrderDraw {
  const n = sorted.length;
  const tally = new Int32Array(n);
  return (out) => {
    tally.fill(0);
    for (let i = 0; i < n; i++) tally[Math.min(n - 1, Math.floor(random() * n))]!++;
    let index = 0;
    let atOrBelow = tally[0]!; // resampled values at or below sorted[index]
    ranks.forEach((rank, k) => {
      while (atOrBelow <= rank) atOrBelow += tally[++index]!;
      out[k] = sorted[index]!;
    });
  };
}

/** The uniform order statistics at the ranks, drawn ascending, mapped to indices ⌊n·U⌋ (O(ranks) a resample). */
function byOrderStatistics(sorted: Float64Array, ranks: readonly number[], random: () => number): OrderDraw {
  const n = sorted.length;
  return (out) => {
    let u = 0;
    let previous = 0; // 1-based rank of U(previous) = u; 0 before the first
    ranks.forEach((rank, k) => {
      const b = rank + 1;
      u += (1 - u) * beta(b - previous, n - b + 1, random);
      previous = b;
      out[k] = sorted[Math.min(n - 1, Math.floor(n * u))]!;
    });
  };
}

function checkBootstrap(values: readonly number[], qs: readonly number[], resamples: number, confidence: number): void {
  if (values.length === 0) throw new RangeError('bootstrapQuantiles of no values');
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`bootstrapQuantiles: ${v} is not a finite value`);
  for (const q of qs) checkProbability(q, 'bootstrapQuantiles');
  if (!Number.isSafeInteger(resamples) || resamples < 1 || resamples > bootstrapResamplesMax) {
    throw new RangeError(`bootstrapQuantiles: resamples ${resamples} is not a whole number in 1..${bootstrapResamplesMax}`);
  }
  checkConfidence(confidence);
}

/**
 * The type-7 quantiles `qs` of `values` (any order), each with its percentile-bootstrap interval at
 * `confidence` from `resamples` resamples drawn with `random` (the header: how, and the shortcut above
 * `bootstrapWorkMax`). Deterministic for a given `random` stream. `method` forces one way (the tests
 * compare them); both draw from the same distribution.
 */
export function bootstrapQuantiles(
  values: readonly number[],
  qs: readonly number[],
  resamples: number,
  confidence: number,
  random: () => number,
  method: BootstrapMethod = bootstrapMethod(values.length, resamples),
): Estimate[] {
  checkBootstrap(values, qs, resamples, confidence);
  if (qs.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const plan = planRanks(sorted.length, qs);
  const draw = (method === 'resampling' ? byResampling : byOrderStatistics)(sorted, plan.ranks, random);
  const statistics = qs.map(() => new Float64Array(resamples));
  const order = new Float64Array(plan.ranks.length);
  for (let r = 0; r < resamples; r++) {
    draw(order);
    statistics.forEach((column, j) => {
      const below = order[plan.lowSlot[j]!]!;
      const fraction = plan.fraction[j]!;
      column[r] = fraction === 0 ? below : below + fraction * (order[plan.highSlot[j]!]! - below);
    });
  }
  return qs.map((q, j) => {
    const column = statistics[j]!.sort();
    return { value: typeSeven(sorted, q), low: typeSeven(column, (1 - confidence) / 2), high: typeSeven(column, (1 + confidence) / 2) };
  });
}

/** A uniform [0, 1) stream determined by `key` alone (seedrandom's ARC4, as src/sim/random.ts). */
export function seededRandom(key: string): () => number {
  const prng = seedrandom(key);
  return () => prng();
}

/**
 * The empirical CDF of ascending delays as steps [x, share of `total` with delay ≤ x], one per
 * distinct x; past `maxSteps` distinct x, the steps at evenly spaced indices (first and last kept).
 * `total` counts every recipient, delivered or not, so the last y is the share delivered at all.
 */
export function stepCdf(sortedDelays: readonly number[], total: number, maxSteps = 200): Array<[number, number]> {
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 2) throw new RangeError(`stepCdf: maxSteps ${maxSteps} must be a whole number ≥ 2`);
  if (!Number.isSafeInteger(total) || total < sortedDelays.length) {
    throw new RangeError(`stepCdf: total ${total} must be a whole number ≥ the ${sortedDelays.length} delays`);
  }
  checkAscending(sortedDelays, 'stepCdf');
  const steps: Array<[number, number]> = [];
  sortedDelays.forEach((x, i) => {
    if (sortedDelays[i + 1] !== x) steps.push([x, (i + 1) / total]); // the last of its ties
  });
  if (steps.length <= maxSteps) return steps;
  const last = steps.length - 1;
  return Array.from({ length: maxSteps }, (_, i) => steps[Math.round((i * last) / (maxSteps - 1))]!);
}
