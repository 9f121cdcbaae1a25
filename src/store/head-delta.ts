/**
 * The heads of mail files kept as small deltas against a recent head (issue 21: a million mailbox files).
 *
 * Theory of operation. The head of a message file (file-buffer.ts: the bytes up to the first blank
 * line) differs from the previous message's in a few places only — a queue id, a time, a Subject
 * number, a Message-ID — yet kept whole it was the largest thing a million-message run held (~0.55 KiB
 * a message). `HeadCoder` keeps a few recent heads as *bases* (one-byte strings, latin1: a character per
 * byte) and codes each new head against the base that gives the shortest delta: segment by segment
 * (the text between LF bytes), segment i against the base's segment i, as
 *   0                           the segment equals the base's, or
 *   p+1, s, n, then n bytes     the base segment's first p and last s bytes around n new bytes,
 * each number a little-endian base-128 varint (high bit: more follows). The delta is itself a one-byte
 * string. A head whose best delta is not much shorter than itself is kept verbatim (no base) and
 * becomes the newest base, so a run of similar heads soon codes against one of its own kind — a host
 * writing queue files and mailbox files in turn keeps a base of each. A file holds its base string and
 * its delta; a base lives as long as a file uses it (garbage collected, nothing counted).
 * `decodeHead` rebuilds the exact bytes; test/store/head-delta.test.ts checks it on random heads.
 */
import { Buffer } from 'node:buffer';

/** How many recent verbatim heads are tried as bases. */
const BASES_MAX = 4;
/** A delta is used only when at most this fraction of the head's length (else the head is kept whole). */
const DELTA_FRACTION_MAX = 0.5;
/** A delta this short (fraction of the head) is taken at once, without trying the older bases. */
const DELTA_FRACTION_GOOD = 0.125;
const LF = 0x0a;

interface Base {
  readonly text: string;
  readonly bytes: Uint8Array;
}

export class HeadCoder {
  /** The most recent first. */
  private readonly bases: Base[] = [];
  private scratch = new Uint8Array(1024);
  private best = new Uint8Array(1024);
  /** The base of the last `encode`, or null when it returned the head verbatim. */
  lastBase: string | null = null;

  /** The head as a delta against one of the bases (`lastBase`), or verbatim (then `lastBase` is null). */
  encode(head: Uint8Array): string {
    const bound = head.length * 4 + 16;
    if (this.scratch.length < bound) {
      this.scratch = new Uint8Array(bound);
      this.best = new Uint8Array(bound);
    }
    let bestLength = Math.floor(head.length * DELTA_FRACTION_MAX);
    let bestBase: Base | null = null;
    for (const base of this.bases) {
      const length = encodeAgainst(head, base.bytes, this.scratch, bestLength);
      if (length > bestLength) continue;
      bestLength = length;
      bestBase = base;
      const swap = this.best;
      this.best = this.scratch;
      this.scratch = swap;
      if (length <= head.length * DELTA_FRACTION_GOOD) break;
    }
    if (bestBase === null) return this.addBase(head);
    this.lastBase = bestBase.text;
    return Buffer.from(this.best.buffer, 0, bestLength).toString('latin1');
  }

  private addBase(head: Uint8Array): string {
    const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
    this.bases.unshift({ text, bytes: head.slice() });
    if (this.bases.length > BASES_MAX) this.bases.pop();
    this.lastBase = null;
    return text;
  }
}

/**
 * Writes the delta of `head` against `base` into `out` (≥ 4 × head length + 16) and returns its length,
 * or stops at the first segment that takes it past `limit` and returns a length over `limit`.
 */
export function encodeAgainst(head: Uint8Array, base: Uint8Array, out: Uint8Array, limit: number): number {
  let at = 0;
  let start = 0;
  let baseStart = 0;
  for (;;) {
    const lf = head.indexOf(LF, start);
    const end = lf < 0 ? head.length : lf;
    const baseLf = baseStart > base.length ? -1 : base.indexOf(LF, baseStart);
    const baseEnd = baseStart > base.length ? baseStart : baseLf < 0 ? base.length : baseLf;
    const length = end - start;
    const baseLength = baseEnd - baseStart;
    let prefix = 0;
    const common = Math.min(length, baseLength);
    while (prefix < common && head[start + prefix] === base[baseStart + prefix]) prefix++;
    if (prefix === length && prefix === baseLength) {
      out[at++] = 0;
    } else {
      let suffix = 0;
      while (suffix < common - prefix && head[end - 1 - suffix] === base[baseEnd - 1 - suffix]) suffix++;
      at = writeVarint(out, at, prefix + 1);
      at = writeVarint(out, at, suffix);
      at = writeVarint(out, at, length - prefix - suffix);
      out.set(head.subarray(start + prefix, end - suffix), at);
      at += length - prefix - suffix;
    }
    if (lf < 0 || at > limit) return at;
    start = lf + 1;
    baseStart = baseEnd + 1;
  }
}

/** Writes the head coded as `delta` against `base` (null: `delta` is the head) into the start of `out`. */
export function decodeHead(base: string | null, delta: string, out: Uint8Array): void {
  if (base === null) {
    Buffer.from(out.buffer, out.byteOffset, delta.length).write(delta, 'latin1');
    return;
  }
  let at = 0;
  let o = 0;
  let baseStart = 0;
  while (at < delta.length) {
    if (baseStart > 0) out[o++] = LF;
    const baseLf = baseStart > base.length ? -1 : base.indexOf('\n', baseStart);
    const baseEnd = baseStart > base.length ? baseStart : baseLf < 0 ? base.length : baseLf;
    const [first, afterFirst] = readVarint(delta, at);
    at = afterFirst;
    if (first === 0) {
      o = copyLatin1(out, o, base, baseStart, baseEnd);
    } else {
      const [suffix, afterSuffix] = readVarint(delta, at);
      const [length, afterLength] = readVarint(delta, afterSuffix);
      o = copyLatin1(out, o, base, baseStart, baseStart + first - 1);
      o = copyLatin1(out, o, delta, afterLength, afterLength + length);
      o = copyLatin1(out, o, base, baseEnd - suffix, baseEnd);
      at = afterLength + length;
    }
    baseStart = baseEnd + 1;
  }
}

function copyLatin1(out: Uint8Array, o: number, text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) out[o++] = text.charCodeAt(i);
  return o;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

function readVarint(text: string, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = text.charCodeAt(i++);
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i];
    shift += 7;
  }
}
