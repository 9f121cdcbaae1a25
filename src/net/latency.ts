/**
 * One-way latency of a link (docs/reference.md §3 `network.latency`, `links`; §6 `latency` fault).
 * A fixed value, or a uniform integer range drawn once per connection (and per datagram) from the
 * link's own named random stream, so one link's draws never shift another's.
 */
import type { RandomStream } from '../sim/index.js';

/**
 * One-way latency of a segment: fixed when minMs === maxMs, else drawn uniformly per connection.
 * The one latency type of the project: the scenario's normalised `latency` values are these.
 */
export interface LatencySpec {
  minMs: number;
  maxMs: number;
}

/** A sanity bound on one-way latency: a day. More is surely a unit mistake. */
export const latencyMsMax = 86_400_000;

export function validateLatency(spec: LatencySpec): LatencySpec {
  const check = (ms: number, what: string) => {
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > latencyMsMax) {
      throw new RangeError(`latency ${what} must be an integer in 0..${latencyMsMax} ms, got ${ms}`);
    }
  };
  check(spec.minMs, 'minMs');
  check(spec.maxMs, 'maxMs');
  if (spec.minMs > spec.maxMs) throw new RangeError(`latency minMs ${spec.minMs} > maxMs ${spec.maxMs}`);
  return spec;
}

/** Draws a latency; a fixed spec draws nothing (so switching to fixed does not consume randomness). */
export function drawLatencyMs(spec: LatencySpec, stream: RandomStream): number {
  if (spec.minMs === spec.maxMs) return spec.minMs;
  return stream.int(spec.minMs, spec.maxMs);
}

export function describeLatency(spec: LatencySpec): string {
  return spec.minMs === spec.maxMs ? `${spec.minMs}ms` : `${spec.minMs}-${spec.maxMs}ms`;
}
