/**
 * The sans-IO contract every protocol machine follows (docs/architecture.md, "Sans-IO protocol machines";
 * the model is h11 and quinn-proto).
 *
 * A machine never touches a socket or a clock. Its owner (a simulator node, or the real-socket bridge)
 * feeds it what arrived and the current time, then drains what it wants to send and what it wants the
 * owner to know:
 *
 *   machine.receive(bytes, nowMs)      // bytes that arrived, in order, any chunking (even 1 byte)
 *   machine.receiveEof(nowMs)          // the peer half-closed or the connection died
 *   machine.takeOutput()               // bytes to write, in order (drains)
 *   machine.takeEvents()               // typed events for the owner (drains)
 *   machine.nextTimeoutMs()            // absolute virtual ms of the next deadline, or null
 *   machine.onTimeout(nowMs)           // the owner's clock passed that deadline; a spurious call does nothing
 *
 * A peer that misbehaves gets a protocol reply (500/501/503, -ERR, BAD) or a typed event; a caller that
 * misuses the API gets an exception; a bug is an assertion.
 */
import { Buffer } from 'node:buffer';

export interface SansIoMachine<Event> {
  receive(bytes: Uint8Array, nowMs: number): void;
  receiveEof(nowMs: number): void;
  takeOutput(): readonly Uint8Array[];
  takeEvents(): readonly Event[];
  nextTimeoutMs(): number | null;
  onTimeout(nowMs: number): void;
  /** True once the machine will neither send nor accept anything more; the owner closes the transport. */
  readonly closed: boolean;
}

/** A machine whose transport can be upgraded to TLS (STARTTLS, STLS). */
export interface TlsCapable {
  /**
   * The owner calls this once the TLS handshake it ran after the machine's `starttls` event completed.
   * The machine resets the protocol state the RFC says to reset (e.g. RFC 3207 §4.2 for SMTP).
   */
  tlsEstablished(nowMs: number): void;
}

/**
 * Encodes protocol text (always 7-bit or UTF-8) to bytes. Buffer.from carves short strings out of
 * Node's shared 8 KiB pool instead of allocating an ArrayBuffer each (TextEncoder does): protocol
 * lines are short and many, and this was ~4 % of a bulk run. The result is a Uint8Array (a Buffer);
 * nothing writes into output bytes, so sharing the pool's backing store is safe.
 */
export function textBytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

const latin1Slice = Buffer.prototype.latin1Slice;

/**
 * Decodes bytes one-to-one into a string (each byte a code unit 0–255, ISO-8859-1), for line parsing.
 * Buffer's latin1 decoding works on any Uint8Array view and is about twice as fast as a TextDecoder
 * for the short lines protocols parse.
 */
export function bytesLatin1(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** `bytesLatin1(bytes.subarray(start, end))` without making the view (a line in an input buffer). */
export function bytesLatin1Range(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end);
}

/**
 * The array a machine's `takeOutput`/`takeEvents` returns when it has nothing: shared and frozen, so
 * the many pumps that find nothing allocate nothing.
 */
export const NOTHING: readonly never[] = Object.freeze([]);
