/**
 * One-way latency of a link (docs/reference.md §3 `network.latency`, `links`; §6 `latency` fault).
 * A fixed value, or a uniform integer range drawn once per connection (and per datagram) from the
 * link's own named random stream, so one link's draws never shift another's.
 */
import type { RandomStream } from '../sim/index.js';

export type LatencySpec = { fixedMs: number } | { minMs: number; maxMs: number };

/** A sanity bound on one-way latency: a day. More is surely a unit mistake. */
export const latencyMsMax = 86_400_000;

export function validateLatency(spec: LatencySpec): LatencySpec {
  const check = (ms: number, what: string) => {
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > latencyMsMax) {
      throw new RangeError(`latency ${what} must be an integer in 0..${latencyMsMax} ms, got ${ms}`);
    }
  };
  if ('fixedMs' in spec) check(spec.fixedMs, 'fixedMs');
  else {
    check(spec.minMs, 'minMs');
    check(spec.maxMs, 'maxMs');
    if (spec.minMs > spec.maxMs) throw new RangeError(`latency minMs ${spec.minMs} > maxMs ${spec.maxMs}`);
  }
  return spec;
}

/** Draws a latency; a fixed spec draws nothing (so switching to fixed does not consume randomness). */
export function drawLatencyMs(spec: LatencySpec, stream: RandomStream): number {
  if ('fixedMs' in spec) return spec.fixedMs;
  return stream.int(spec.minMs, spec.maxMs);
}

export function describeLatency(spec: LatencySpec): string {
  return 'fixedMs' in spec ? `${spec.fixedMs}ms` : `${spec.minMs}-${spec.maxMs}ms`;
}
