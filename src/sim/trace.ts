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
 * Hashing is buffered: lines are gathered as text and encoded (UTF-8) many at a time, and they and
 * the payload bytes are copied into one fixed byte buffer that is fed to the hash when full, so a million events — segments included — cost a few thousand hash
 * updates, not millions. SHA-256 does not care how its input is chunked, so the digest is the same.
 */
import { Buffer } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';

export type TraceValue = string | number | boolean | null;
export type TraceFields = Record<string, TraceValue>;
export type TraceEvent = { t: number; kind: string } & Record<string, TraceValue>;

/** A payload event's canonical line without its time and length, from `Trace.preparePayload`. */
export type PreparedPayloadEvent = string & { readonly __prepared: 'payload' };

export interface Clock {
  readonly nowMs: number;
}

/** Size of the buffer the canonical byte stream is gathered in before it is hashed. */
const hashChunkBytes = 1 << 16;
/** Lines are gathered as text up to this many UTF-16 code units before they are encoded. */
const textChunkCodeUnits = 1 << 14;
/** A UTF-8 character takes at most this many bytes per UTF-16 code unit. */
const utf8BytesPerCodeUnitMax = 3;
const latin1Decoder = new TextDecoder('latin1');
/** Field names whose JSON form (`,"name":`) is remembered; field names come from code, so few. */
const fieldKeyCacheMax = 512;
const fieldKeyJson = new Map<string, string>();
/** Prepared payload events whose parsed fields a kept trace remembers (one per connection side). */
const preparedParsedMax = 4096;

/** `,"key":` exactly as JSON.stringify writes the key, remembered per name. */
function keyPrefix(key: string): string {
  let prefix = fieldKeyJson.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    if (fieldKeyJson.size < fieldKeyCacheMax) fieldKeyJson.set(key, prefix);
  }
  return prefix;
}

/** Strings JSON.stringify writes as they are between quotes: printable ASCII without `"` and `\`. */
const NEEDS_NO_ESCAPE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Exactly JSON.stringify(value), without calling it for the common cases: finite numbers print as
 * String(number) (both give "0" for -0), non-finite ones as null; strings that need no escaping
 * go between quotes as they are.
 */
export function jsonOf(value: TraceValue): string {
  if (typeof value === 'string') return NEEDS_NO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}` : 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'null';
  return `${JSON.stringify(value)}`;
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

export class Trace {
  readonly keep: boolean;
  /** The events, when kept (`keepTrace`); empty otherwise. */
  readonly events: TraceEvent[] = [];
  /** Events recorded so far (kept or not). */
  count = 0;

  private readonly clock: Clock;
  private readonly hash: Hash = createHash('sha256');
  /** Canonical bytes not yet hashed: `pending[0, pendingBytes)`. */
  private readonly pending = Buffer.allocUnsafe(hashChunkBytes);
  private pendingBytes = 0;
  /** Canonical lines not yet in `pending` (they come after its bytes); under textChunkCodeUnits. */
  private pendingText = '';
  /** Kept trace only: each prepared payload event's parsed `kind` and fields, parsed once. */
  private readonly preparedParsed = new Map<PreparedPayloadEvent, Record<string, TraceValue>>();

  constructor(clock: Clock, keep: boolean) {
    this.clock = clock;
    this.keep = keep;
  }

  /** Records an event at the current virtual time. `t` and `kind` are reserved field names. */
  record(kind: string, fields: TraceFields): void {
    const t = this.clock.nowMs;
    const line = `{"t":${t}${this.fragment(kind, fields, false)}}`;
    this.appendHashed(line);
    if (this.keep) this.events.push(keptEvent(t, kind, fields) ?? (JSON.parse(line) as TraceEvent));
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
   * The part of a payload event's canonical line that follows the time — `,"kind":…` and the fields —
   * made once for an event that recurs with the same fields (a connection's `net.send`), so each
   * recording only adds the time and the length. Record it with `recordPayloadPrepared`.
   */
  preparePayload(kind: string, fields: TraceFields): PreparedPayloadEvent {
    return this.fragment(kind, fields, true) as PreparedPayloadEvent;
  }

  /** `recordPayload(kind, fields, payload)` for a prepared event: the same line, the same bytes. */
  recordPayloadPrepared(prepared: PreparedPayloadEvent, payload: Uint8Array): void {
    const line = `{"t":${this.clock.nowMs}${prepared},"bytes":${payload.length}}`;
    this.appendHashed(line);
    this.appendBytes(payload);
    if (this.keep) {
      const event = { t: this.clock.nowMs + 0, ...this.parsedPrepared(prepared), bytes: payload.length } as unknown as TraceEvent;
      event.text = latin1Decoder.decode(payload);
      this.events.push(event);
    }
    this.count++;
  }

  /**
   * `kind` and the fields of a prepared event as JSON.parse reads them back, parsed once per prepared
   * event (a connection's side records thousands of segments with one) rather than once per segment.
   */
  private parsedPrepared(prepared: PreparedPayloadEvent): Record<string, TraceValue> {
    let parsed = this.preparedParsed.get(prepared);
    if (parsed === undefined) {
      parsed = JSON.parse(`{${prepared.slice(1)}}`) as Record<string, TraceValue>;
      if (this.preparedParsed.size < preparedParsedMax) this.preparedParsed.set(prepared, parsed);
    }
    return parsed;
  }

  /** "sha256:<hex>" over the canonical serialisation so far; recording may continue afterwards. */
  digest(): string {
    this.flushHash();
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  /** The kept events as JSON lines (empty when the trace is not kept). */
  toJsonLines(): string {
    let out = '';
    for (const event of this.events) out += `${JSON.stringify(event)}\n`;
    return out;
  }

  /**
   * `,"kind":<kind>,<fields…>` of the canonical line. Built by hand so the field order is exactly t,
   * kind, fields…, bytes — no intermediate object. Values go through jsonOf, which is JSON.stringify's
   * output byte for byte (the digest's format).
   */
  private fragment(kind: string, fields: TraceFields, payload: boolean): string {
    let text = `,"kind":${jsonOf(kind)}`;
    for (const key in fields) {
      if (key === 't' || key === 'kind' || (payload && (key === 'bytes' || key === 'text'))) {
        throw new Error(`trace field name "${key}" is reserved`);
      }
      text += keyPrefix(key) + jsonOf(fields[key] as TraceValue);
    }
    return text;
  }

  /** Appends the line and "\n" to the canonical stream (as text first: see `moveText`). */
  private appendHashed(line: string): void {
    this.pendingText += `${line}\n`;
    if (this.pendingText.length >= textChunkCodeUnits) this.moveText();
  }

  /**
   * Moves the lines gathered as text into the byte buffer as UTF-8, in one write for many lines (one
   * Buffer.write per line cost more than building the lines). Runs before payload bytes are appended
   * and before hashing, so the stream keeps its order.
   */
  private moveText(): void {
    const text = this.pendingText;
    if (text.length === 0) return;
    this.pendingText = '';
    // Worst case 3 bytes per code unit: if that might not fit, make room first.
    if (this.pendingBytes + text.length * utf8BytesPerCodeUnitMax > hashChunkBytes) {
      this.flushBytes();
      if (text.length * utf8BytesPerCodeUnitMax > hashChunkBytes) {
        this.hash.update(text, 'utf8');
        return;
      }
    }
    this.pendingBytes += this.pending.write(text, this.pendingBytes, 'utf8');
  }

  /** Appends raw bytes (a payload) to the canonical stream. */
  private appendBytes(bytes: Uint8Array): void {
    this.moveText();
    if (this.pendingBytes + bytes.length > hashChunkBytes) {
      this.flushBytes();
      if (bytes.length > hashChunkBytes) {
        this.hash.update(bytes);
        return;
      }
    }
    this.pending.set(bytes, this.pendingBytes);
    this.pendingBytes += bytes.length;
  }

  /** Feeds everything gathered so far to the hash. */
  private flushHash(): void {
    this.moveText();
    this.flushBytes();
  }

  private flushBytes(): void {
    if (this.pendingBytes === 0) return;
    this.hash.update(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }
}
