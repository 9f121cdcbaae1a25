/**
 * The fault kinds (docs/reference.md §6), listed once. Everything else is derived from this list: the
 * scenario schema's fault keys and their TypeScript type, the normalised `FaultAction` union, the
 * names `mailsim explore --faults` accepts, the JSON Schema, what `mailsim serve` honours, and the
 * docs table is checked against the schema (test/docs.test.ts). To add a kind: one file declaring a
 * `FaultKind` (kind.ts) and one line here, plus its mechanism (docs/architecture.md).
 */
import type { z } from 'zod';
import { corrupt } from './corrupt.js';
import { delay } from './delay.js';
import { down } from './down.js';
import { dns } from './dns.js';
import { dnsSet } from './dns-set.js';
import { drop } from './drop.js';
import { flaky } from './flaky.js';
import { greylist } from './greylist.js';
import type { FaultActionBase, FaultKind, KeyPath, NormaliseTools } from './kind.js';
import { latency } from './latency.js';
import { outages } from './outages.js';
import { partition } from './partition.js';
import { rateLimit } from './rate-limit.js';
import { refuse } from './refuse.js';
import { reply } from './reply.js';
import { tlsOff } from './tls-off.js';
import { up } from './up.js';

/** In the order of the docs table and the schema's keys. */
const kinds = [down, up, refuse, partition, latency, dns, dnsSet, reply, drop, delay, rateLimit, greylist, tlsOff, flaky, corrupt, outages] as const;

type Kinds = (typeof kinds)[number];

/** A kind's name: `down`, `up`, … */
export type FaultKindName = Kinds['name'];

/** The normalised action of any kind: `{ kind: 'down', host }` | … */
export type FaultAction = ReturnType<Kinds['normalise']>;

/**
 * A kind seen through the registry: its methods take any action (each kind is only ever called with
 * its own), and `normalise` takes the parsed item the caller found this kind's key in.
 */
export type AnyFaultKind = Omit<FaultKind<FaultKindName, z.ZodRawShape, FaultAction>, 'normalise'> & {
  normalise(item: never, tools: NormaliseTools, path: KeyPath): FaultAction;
};

export const faultKinds: readonly AnyFaultKind[] = kinds;

export const faultKindNames: readonly FaultKindName[] = kinds.map((kind) => kind.name);

const byName = new Map<string, AnyFaultKind>(kinds.map((kind) => [kind.name, kind]));

/** The kind of a normalised action. */
export function kindOf(action: FaultActionBase): AnyFaultKind {
  const kind = byName.get(action.kind);
  if (kind === undefined) throw new Error(`unknown fault kind ${action.kind}`);
  return kind;
}

/** The kind named `name`, if there is one. */
export function faultKindNamed(name: string): AnyFaultKind | undefined {
  return byName.get(name);
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every kind's schema keys, merged in registry order: the action keys of a `faults[]` item. */
export type FaultItemShape = UnionToIntersection<Kinds['keys']>;
export const faultItemShape = Object.assign({}, ...kinds.map((kind) => kind.keys)) as FaultItemShape;

/** A fault of the scenario's `faults` list, normalised. */
export interface FaultSpec {
  /** Position in the `faults` list (0-based), for reports. */
  index: number;
  atMs: number;
  untilMs: number | null;
  action: FaultAction;
  /** `chance: p`: the fault happens in a run with probability p (absent: it always happens). */
  chance?: number;
}

/** The stream a fault's `chance` draws from: its own, so adding one shifts no other draw. */
export const faultChanceStream = (index: number) => `fault:${index}:chance`;

/** Whether the fault happens in this run: one draw of its own stream when it has a `chance`, none otherwise. */
export function faultHappens(fault: FaultSpec, streams: { stream(name: string): { chance(p: number): boolean } }): boolean {
  return fault.chance === undefined || streams.stream(faultChanceStream(fault.index)).chance(fault.chance);
}
