/**
 * The trace: every notable event, stamped with the virtual time, and `traceDigest` over it
 * (ARCHITECTURE.md rule 4; SCENARIO.md §9 `traceDigest`).
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
 * Hashing is buffered: lines accumulate in a string and are fed to the hash in chunks, so a
 * million events cost a few hundred hash updates, not a million.
 */
import { createHash, type Hash } from 'node:crypto';

export type TraceValue = string | number | boolean | null;
export type TraceFields = Record<string, TraceValue>;
export type TraceEvent = { t: number; kind: string } & Record<string, TraceValue>;

export interface Clock {
  readonly nowMs: number;
}

/** Pending canonical text is hashed once it grows past this many characters. */
const hashChunkCharsMax = 1 << 16;
const latin1Decoder = new TextDecoder('latin1');

export class Trace {
  readonly keep: boolean;
  /** The events, when kept (`keepTrace`); empty otherwise. */
  readonly events: TraceEvent[] = [];
  /** Events recorded so far (kept or not). */
  count = 0;

  private readonly clock: Clock;
  private readonly hash: Hash = createHash('sha256');
  private pendingText = '';

  constructor(clock: Clock, keep: boolean) {
    this.clock = clock;
    this.keep = keep;
  }

  /** Records an event at the current virtual time. `t` and `kind` are reserved field names. */
  record(kind: string, fields: TraceFields): void {
    const line = this.canonicalLine(kind, fields, -1);
    this.appendHashed(line);
    if (this.keep) this.events.push(JSON.parse(line) as TraceEvent);
    this.count++;
  }

  /**
   * Records an event that carries bytes (a segment, a message): the length is in the line, the
   * bytes themselves are hashed, and their latin1 text is kept only when the trace is kept.
   */
  recordPayload(kind: string, fields: TraceFields, payload: Uint8Array): void {
    const line = this.canonicalLine(kind, fields, payload.length);
    this.appendHashed(line);
    this.flushHash();
    this.hash.update(payload);
    if (this.keep) {
      const event = JSON.parse(line) as TraceEvent;
      event.text = latin1Decoder.decode(payload);
      this.events.push(event);
    }
    this.count++;
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

  private canonicalLine(kind: string, fields: TraceFields, payloadLength: number): string {
    // Built by hand so the field order is exactly t, kind, fields…, bytes — no intermediate object.
    let line = `{"t":${this.clock.nowMs},"kind":${JSON.stringify(kind)}`;
    for (const key in fields) {
      if (key === 't' || key === 'kind' || (payloadLength >= 0 && (key === 'bytes' || key === 'text'))) {
        throw new Error(`trace field name "${key}" is reserved`);
      }
      line += `,${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
    }
    if (payloadLength >= 0) line += `,"bytes":${payloadLength}`;
    return `${line}}`;
  }

  private appendHashed(line: string): void {
    this.pendingText += `${line}\n`;
    if (this.pendingText.length >= hashChunkCharsMax) this.flushHash();
  }

  private flushHash(): void {
    if (this.pendingText.length === 0) return;
    this.hash.update(this.pendingText, 'utf8');
    this.pendingText = '';
  }
}
