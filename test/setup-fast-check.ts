/**
 * fast-check's global settings for the suite. Locally every run draws new seeds (more exploration);
 * with FC_SEED set (CI sets it) every property uses that seed, so a CI run is reproducible. A failing
 * property always prints its seed and path; re-run with FC_SEED=<seed> to replay it.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== '' && seed !== 'random') {
  const parsed = Number(seed);
  if (!Number.isSafeInteger(parsed)) throw new Error(`FC_SEED must be an integer or "random", got ${seed}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: parsed });
}
