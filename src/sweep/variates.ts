/**
 * Random variates for the sweep's bootstrap shortcut (src/sweep/stats.ts): standard normal, gamma and
 * beta, each drawn from a caller's uniform source `random()` in [0, 1) (a `seededRandom` stream), so
 * the draws are deterministic for a key.
 *
 * Theory of operation. Normal: Box–Muller (one cosine branch, two uniforms a draw). Gamma with shape
 * a ≥ 1: Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000 —
 * d = a − 1/3, c = 1/√(9d); draw x normal and v = (1 + cx)³ until a squeeze or the log test accepts,
 * then d·v. The acceptance rate is above 95 % for every a ≥ 1, so the number of tries is bounded by
 * `gammaTriesMax`, which only a broken source (say, a constant) can reach. Beta(a, b) = X / (X + Y)
 * with X ~ Gamma(a), Y ~ Gamma(b). The shortcut only asks for shapes ≥ 1 (they are counts of order
 * statistics), so the a < 1 boost is not needed and a smaller shape is refused.
 */

/** Marsaglia–Tsang tries before giving up: each accepts with probability > 0.95, so 1000 never run out with a working source. */
export const gammaTriesMax = 1000;

/** A standard normal draw (Box–Muller); uses two values of `random`. */
export function standardNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: the logarithm stays finite
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A Gamma(shape, 1) draw for shape ≥ 1 (Marsaglia & Tsang 2000). */
export function gamma(shape: number, random: () => number): number {
  if (!(shape >= 1) || !Number.isFinite(shape)) throw new RangeError(`gamma(${shape}): the shape must be finite and at least 1`);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let tries = 0; tries < gammaTriesMax; tries++) {
    const x = standardNormal(random);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - random(); // (0, 1]: the logarithm stays finite
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
  throw new Error(`gamma(${shape}): no draw accepted in ${gammaTriesMax} tries; is the random source uniform?`);
}

/** A Beta(a, b) draw for a, b ≥ 1, as the share of the first of two gamma draws. */
export function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  const y = gamma(b, random);
  return x / (x + y);
}
