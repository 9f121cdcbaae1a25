/**
 * The latency state of one host pair (network.ts keeps one per pair it has seen; a connection holds
 * the one it was opened on, so every segment of it sees the same latency until a fault changes it).
 */
import type { RandomStream } from '../sim/index.js';
import type { ActiveWindows } from '../sim/active-windows.js';
import type { LatencySpec } from './latency.js';

/** @internal It lives as long as the network (never removed). */
export interface Link {
  /** The latency in force: the latest open `latency` fault's, else `configured`, else null for the network default. */
  override: LatencySpec | null;
  /** The scenario's `network.links` entry for this pair, or null. */
  configured: LatencySpec | null;
  /** The `latency` faults in force on this pair (the latest wins; when it ends, the one before it). */
  faults: ActiveWindows<LatencySpec>;
  version: number;
  stream: RandomStream;
}
