/**
 * Durations drawn from a seeded stream (random.ts) for stochastic fault processes (docs/reference.md §6
 * `outages`): exponential and log-normal with a given mean, rounded to whole milliseconds, at least 1.
 * Each draw uses a fixed number of the stream's values (1 for exponential, 2 for log-normal, Box–Muller),
 * so a stream stays aligned whatever the values drawn.
 */
import type { RandomStream } from './random.js';

/** Exponential with mean `meanMs`: −mean · ln(1 − U). */
export function exponentialMs(stream: RandomStream, meanMs: number): number {
  return Math.max(1, Math.round(-meanMs * Math.log(1 - stream.float())));
}

/**
 * Log-normal with mean `meanMs` and shape `sigma` (the standard deviation of its logarithm):
 * exp(μ + σZ) with μ = ln(mean) − σ²/2, so that its mean is `meanMs`.
 */
export function logNormalMs(stream: RandomStream, meanMs: number, sigma: number): number {
  const u1 = 1 - stream.float(); // (0, 1]: the logarithm stays finite
  const u2 = stream.float();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const mu = Math.log(meanMs) - (sigma * sigma) / 2;
  return Math.max(1, Math.round(Math.exp(mu + sigma * z)));
}
