/**
 * The trace: every notable event, stamped with the virtual time, and `traceDigest` over it
 * (docs/architecture.md rule 4; docs/reference.md §9 `traceDigest`).
 *
 * Canonical serialisation (the digest's input; change it only with a format bump):
 *   For each event, in recording order, the UTF-8 bytes of one JSON line
 *     {"t":<virtual ms>,"kind":"<kind>",<fields in insertion order>}
 *   produced by JSON.stringify (no spaces), followed by "\n". Events that carry a byte payload
 *   (`recordPayload`) also get a `"bytes":<length>` field last in that line, and the payload's raw
 *   bytes are hashed right after the line's "\n" (the length in the line delimits them).
 *   traceDigest = "sha256:" + lowercase hex of SHA-256 over that byte stream.
 * The digest is the same whether or not events are kept in memory.
 *
 * Kept events (`keepTrace`) are flat objects {t, kind, ...fields}; payload events add `bytes` and
 * `text` (the payload decoded as latin1, one character per byte). `toJsonLines()` exports them one
 * JSON object per line — the canonical line plus `text`, so the export is readable but not the
 * digest's input byte for byte.
 *
 * Hashing builds no line: `record` writes the line's bytes field by field into one fixed byte buffer
 * (src/sim/canonical-hasher.ts: ASCII strings and integers copied byte by byte, the rest as
 * JSON.stringify's UTF-8), and the payload bytes follow; the buffer is fed to the hash when full,
 * so a million events cost a few thousand hash updates and no string per event. A prepared payload
 * event keeps its kind and fields (they must not change afterwards), checked once. Kept events are
 * built from the fields (keptEvent), apart from the hashing.
 */
import { asciiBytes, CanonicalHasher, jsonOf, type TraceValue } from './canonical-hasher.js';

export { jsonOf, type TraceValue } from './canonical-hasher.js';
export type TraceFields = Record<string, TraceValue>;
export type TraceEvent = { t: number; kind: string } & Record<string, TraceValue>;

/**
 * A payload event that recurs with the same kind and fields (a connection's `net.send`), from
 * `Trace.preparePayload`: checked once, and — for a kept trace — its fields as JSON.parse reads
 * them back, parsed once.
 */
export interface PreparedPayloadEvent {
  readonly kind: string;
  readonly fields: TraceFields;
  parsed: Record<string, TraceValue> | undefined;
}

export interface Clock {
  readonly nowMs: number;
}

const latin1Decoder = new TextDecoder('latin1');
const LINE_START = asciiBytes('{"t":');
const KIND_KEY = asciiBytes(',"kind":');
const BYTES_KEY = asciiBytes(',"bytes":');
const COMMA = 0x2c;
const COLON = 0x3a;
const BRACE_CLOSE = 0x7d;
const NEWLINE = 0x0a;

/** `,"key":` exactly as JSON.stringify writes the key. */
function keyPrefix(key: string): string {
  return `,${JSON.stringify(key)}:`;
}

/**
 * The value JSON.parse(jsonOf(value)) gives, without the round trip: -0 reads back as 0 and
 * non-finite numbers as null. `undefined` when the value is not a TraceValue (the caller then
 * parses the line, as before, so odd input fails or reads the same way).
 */
function parsedValue(value: unknown): TraceValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return undefined;
}

/**
 * The kept event for a canonical line — equal to JSON.parse(line) (test/sim/trace-kept.test.ts) —
 * built from the fields directly: keys in the same order, values as they read back. Returns
 * undefined for what only the parser decides the same way (a `__proto__` key, a non-TraceValue).
 */
function keptEvent(t: number, kind: string, fields: TraceFields): TraceEvent | undefined {
  const event: TraceEvent = { t: t + 0, kind };
  for (const key in fields) {
    const value = parsedValue(fields[key]);
    if (value === undefined || key === '__proto__') return undefined;
    event[key] = value;
  }
  return event;
}

/** Throws on a reserved field name: `t` and `kind`, and for a payload event `bytes` and `text`. */
function checkName(key: string, payload: boolean): void {
  if (key === 't' || key === 'kind' || (payload && (key === 'bytes' || key === 'text'))) {
    throw new Error(`trace field name "${key}" is reserved`);
  }
}

export class Trace {
  readonly keep: boolean;
  /** The events, when kept (`keepTrace`); empty otherwise. */
  readonly events: TraceEvent[] = [];
  /** Events recorded so far (kept or not). */
  count = 0;

  private readonly clock: Clock;
  private readonly hasher = new CanonicalHasher();

  constructor(clock: Clock, keep: boolean) {
    this.clock = clock;
    this.keep = keep;
  }

  /** Records an event at the current virtual time. `t` and `kind` are reserved field names. */
  record(kind: string, fields: TraceFields): void {
    // `in` sees what for-in would (and more); the exact check runs only then, before any byte.
    if ('t' in fields || 'kind' in fields) this.fragment(kind, fields, false);
    const t = this.clock.nowMs;
    this.writeHead(t, kind, fields);
    this.hasher.byte(BRACE_CLOSE);
    this.hasher.byte(NEWLINE);
    if (this.keep) this.events.push(keptEvent(t, kind, fields) ?? (JSON.parse(this.line(t, kind, fields)) as TraceEvent));
    this.count++;
  }

  /**
   * Records an event that carries bytes (a segment, a message): the length is in the line, the
   * bytes themselves are hashed, and their latin1 text is kept only when the trace is kept.
   */
  recordPayload(kind: string, fields: TraceFields, payload: Uint8Array): void {
    this.recordPayloadPrepared(this.preparePayload(kind, fields), payload);
  }

  /**
   * A payload event that recurs with the same kind and fields (a connection's `net.send`), its field
   * names checked once; the fields object must not change afterwards. Record it with
   * `recordPayloadPrepared`.
   */
  preparePayload(kind: string, fields: TraceFields): PreparedPayloadEvent {
    for (const key in fields) checkName(key, true);
    return { kind, fields, parsed: undefined };
  }

  /** `recordPayload(kind, fields, payload)` for a prepared event: the same line, the same bytes. */
  recordPayloadPrepared(prepared: PreparedPayloadEvent, payload: Uint8Array): void {
    const hasher = this.hasher;
    this.writeHead(this.clock.nowMs, prepared.kind, prepared.fields);
    hasher.constant(BYTES_KEY);
    hasher.numberText(payload.length);
    hasher.byte(BRACE_CLOSE);
    hasher.byte(NEWLINE);
    hasher.bytes(payload);
    if (this.keep) {
      prepared.parsed ??= JSON.parse(`{${this.fragment(prepared.kind, prepared.fields, true).slice(1)}}`) as Record<string, TraceValue>;
      const event = { t: this.clock.nowMs + 0, ...prepared.parsed, bytes: payload.length } as unknown as TraceEvent;
      event.text = latin1Decoder.decode(payload);
      this.events.push(event);
    }
    this.count++;
  }

  /** Hashes `{"t":<t>,"kind":<kind>,<fields…>` — the line up to its closing brace — field by field. */
  private writeHead(t: number, kind: string, fields: TraceFields): void {
    const hasher = this.hasher;
    hasher.constant(LINE_START);
    hasher.numberText(t);
    hasher.constant(KIND_KEY);
    hasher.string(kind);
    for (const key in fields) {
      hasher.byte(COMMA);
      hasher.string(key);
      hasher.byte(COLON);
      hasher.value(fields[key] as TraceValue);
    }
  }

  /** "sha256:<hex>" over the canonical serialisation so far; recording may continue afterwards. */
  digest(): string {
    return this.hasher.digest();
  }

  /** The kept events as JSON lines (empty when the trace is not kept). */
  toJsonLines(): string {
    let out = '';
    for (const event of this.events) out += `${JSON.stringify(event)}\n`;
    return out;
  }

  /** The canonical line as text (a kept event the fields cannot make is parsed from it). */
  private line(t: number, kind: string, fields: TraceFields): string {
    return `{"t":${t}${this.fragment(kind, fields, false)}}`;
  }

  /**
   * `,"kind":<kind>,<fields…>` of the canonical line as text, field order t, kind, fields…, bytes;
   * throws on a reserved field name. Values go through jsonOf, JSON.stringify's output byte for byte.
   */
  private fragment(kind: string, fields: TraceFields, payload: boolean): string {
    let text = `,"kind":${jsonOf(kind)}`;
    for (const key in fields) {
      checkName(key, payload);
      text += keyPrefix(key) + jsonOf(fields[key] as TraceValue);
    }
    return text;
  }
}
