/** Byte-array helpers shared by the protocol machines and the nodes that build messages. */
import { Buffer } from 'node:buffer';

/**
 * A plain Uint8Array of `length` bytes that the caller writes in full, taken from Node's shared pool:
 * `new Uint8Array(n)` zero-fills and gives every message-sized array a backing store of its own, which
 * costs more than the copy into it. Plain, not a Buffer: a Buffer's `slice` is a view, not a copy.
 * For short-lived bytes (a segment, a message in flight): a kept view keeps its pool slab alive.
 */
export function uninitialisedBytes(length: number): Uint8Array {
  const pooled = Buffer.allocUnsafe(length);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, length);
}

/** The text as UTF-8 (the bytes TextEncoder gives, lone surrogates included) in a plain Uint8Array from the pool. */
export function utf8Bytes(text: string): Uint8Array {
  const pooled = Buffer.from(text, 'utf8');
  return new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
}

/** The parts joined into one new array (a single part is returned as it is, not copied). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The parts joined into one segment's bytes (a single part is returned as it is): what a machine wrote
 * in one step goes out in one write. From the pool, like `uninitialisedBytes`: a segment is short-lived
 * (its receiver copies what it keeps). Equal, byte for byte, to `concatBytes(parts)`.
 */
export function joinSegment(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (let i = 0; i < parts.length; i++) length += parts[i]!.length;
  const out = uninitialisedBytes(length);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
