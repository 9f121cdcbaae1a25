/**
 * What a fault kind declares (docs/reference.md §6, docs/architecture.md "Add a fault kind").
 *
 * Theory of operation. Each kind of fault is one file of src/faults/ exporting one `FaultKind`, and
 * src/faults/index.ts lists the kinds once. Everything that differs between kinds is here, so the
 * layers loop over the registry instead of each keeping its own `switch`:
 *
 * - `keys`/`refine`: the kind's fragment of the scenario schema (its own key first, then companion
 *   keys such as refuse's `port`), and the rules that tie its keys together. The scenario schema,
 *   its TypeScript type and the shipped JSON Schema are built from the fragments.
 * - `normalise`: the parsed keys → the normalised action `{ kind, … }` (defaults filled, names canonical).
 * - `check`: the hosts (and DNS records) the action names, for the loader's cross-check.
 * - `apply`: the mechanism — switch the fault on in a running world, return what switches it off.
 * - `describe`: one line for reports.
 * - `draw`: how `mailsim explore` and the property tests generate it (fast-check is passed in, so
 *   loading a kind never loads fast-check).
 * - `servedOn`: for kinds that act inside one SMTP server, the host — `mailsim serve` honours those.
 *
 * Methods (not function-valued properties) on purpose: their parameters are bivariant, so a kind
 * with its own precise action type still fits the registry's `AnyFaultKind`.
 */
import type FastCheck from 'fast-check';
import type { z } from 'zod';
import type { DnsEntry } from '../dns/record-set.js';
import type { DnsFault, UndoHandle } from '../dns/server.js';
import type { ZoneEntryInput } from '../dns/zone.js';
import type { LatencySpec } from '../net/latency.js';
import type { FaultHandle, PartitionHandle } from '../net/network.js';
import type { SmtpStage } from '../protocols/smtp/stages.js';
import type { RandomStream } from '../sim/random.js';
import type { ParsedDnsRecords } from '../schema/shared.js';
import type { FaultUniverse } from './universe.js';

/** A key path into the scenario file, e.g. `['faults', 3, 'reply', 'host']`. */
export type KeyPath = ReadonlyArray<string | number>;

/** The fast-check module, handed to `draw.arbitrary` by the caller that has loaded it. */
export type FastCheckModule = typeof FastCheck;

/** One fault as written in a scenario file (plain keys, durations with units). */
export type PlainFault = Record<string, unknown>;

/** What `normalise` may use from the loader. */
export interface NormaliseTools {
  /** A host or domain name, canonical (lower case, no trailing dot). */
  name(text: string): string;
  /** A parsed latency value (`20ms` or `{ min, max }`, already in ms) → its spec; problems reported at `path`. */
  latency(value: number | { min: number; max: number }, path: KeyPath): LatencySpec;
  /** A parsed DNS zone fragment → its entries; problems reported at `path`. */
  dnsEntries(zone: Record<string, ParsedDnsRecords>, path: KeyPath): DnsEntry[];
}

/** What `check` may use from the loader's cross-check. */
export interface CheckTools {
  /** Reports an error at `path` unless `host` is defined in the scenario. */
  knownHost(host: string, path: KeyPath): void;
  /** Checks MX targets of replaced records the way the scenario's own zone is checked. */
  mxTargets(entries: readonly DnsEntry[], path: KeyPath): void;
}

/** The scripted-fault book of one SMTP server (nodes/smtp/fault-book.ts): each add returns its removal. */
export interface SmtpFaultHooks {
  /** `perSession`: the fault's own stream, to draw `probability` once per SMTP session (`per: session`). */
  addReply(stage: SmtpStage, code: number, text: string, times: number | null, probability: number | null, perSession?: RandomStream | null): () => void;
  addDrop(stage: SmtpStage, times: number | null, probability: number | null): () => void;
  addCorrupt(mode: CorruptMode, times: number | null, probability: number | null): () => void;
  addDelay(stage: SmtpStage, byMs: number, times: number | null, probability: number | null): () => void;
  addRateLimit(limit: { messages: number; perMs: number | null; code: number; text: string | null }): () => void;
  /** `delayMs` null: postgrey's default. */
  addGreylist(delayMs: number | null): () => void;
  addTlsOff(): () => void;
}

/** How a `corrupt` fault damages a message in flight (docs/reference.md §6). */
export type CorruptMode = 'flip' | 'truncate';

/** What `apply` acts on: the running world (nodes/world.ts) or one `serve` host (bridge). */
export interface FaultTarget {
  /** Opens a `down`/`up` window on a host (windows compose, docs/reference.md §6); returns its close. */
  power(host: string, state: 'down' | 'up'): () => void;
  readonly net: {
    refuse(host: string, port: number): FaultHandle;
    partition(groups: ReadonlyArray<ReadonlyArray<string>>): PartitionHandle;
    setLinkLatency(a: string, b: string, spec: LatencySpec): FaultHandle;
    setFlaky(host: string, probability: number): FaultHandle;
  };
  readonly dns: {
    setFault(fault: DnsFault): UndoHandle;
    replace(name: string, records: ZoneEntryInput | null): UndoHandle;
  };
  /** The scripted-fault book of the SMTP server on `host`. */
  smtp(host: string): SmtpFaultHooks;
  /** This fault's own seeded stream (`fault:<index>`): a stochastic kind draws only from it (docs/architecture.md rule 2). */
  random(): RandomStream;
  /** Runs `fn` `delayMs` of virtual time from now; returns what cancels it. */
  after(delayMs: number, fn: () => void): () => void;
}

/** The normalised action of a kind: its name plus its own fields. */
export interface FaultActionBase<Name extends string = string> {
  kind: Name;
}

/** A kind's parsed keys as `normalise` receives them (its own key is present: exactly one action per fault). */
export type ParsedKeys<Name extends string, Shape extends z.ZodRawShape> = { [K in keyof Shape]?: z.output<Shape[K]> } & {
  [K in Name & keyof Shape]-?: NonNullable<z.output<Shape[K]>>;
};

export interface FaultKind<Name extends string, Shape extends z.ZodRawShape, Action extends FaultActionBase<Name>> {
  readonly name: Name;
  /** Schema fragment: the kind's own key first, then its companions; every key optional. */
  readonly keys: Shape;
  /** Rules tying the kind's keys together; runs on every fault item, whatever its kind. */
  refine?(item: Record<string, unknown>, ctx: z.RefinementCtx): void;
  normalise(item: ParsedKeys<Name, Shape>, tools: NormaliseTools, path: KeyPath): Action;
  check(action: Action, tools: CheckTools, path: KeyPath): void;
  apply(action: Action, target: FaultTarget): (() => void) | null;
  describe(action: Action): string;
  readonly draw: {
    /** How often it is drawn relative to the others. */
    readonly weight: number;
    /** Whether the universe has what the kind needs (hosts, DNS names, …). */
    available(universe: FaultUniverse): boolean;
    arbitrary(universe: FaultUniverse, fc: FastCheckModule): FastCheck.Arbitrary<PlainFault>;
  };
  /** Kinds that act inside one SMTP server: its host (`mailsim serve` honours these, docs/reference.md §12). */
  servedOn?(action: Action): string;
}

/** Declares a kind with its types inferred from the literal (the identity, typed). */
export function defineFaultKind<const Name extends string, Shape extends z.ZodRawShape, Action extends FaultActionBase<Name>>(
  kind: FaultKind<Name, Shape, Action>,
): FaultKind<Name, Shape, Action> {
  return kind;
}
