/**
 * Sequence sets (RFC 3501 §9 sequence-set, §6.4.8): "1:*", "3,5:7", "*:4". A range's ends may come in
 * either order ("*:4" is "4:*"); "*" is the largest number in use (the last sequence number, or the
 * highest UID). Ranges are kept as written so the serializer can round-trip them.
 */

/** One end of a range: a number ≥ 1 or "*" (null here). */
export type SeqNumber = number | null;

export interface SeqRange {
  start: SeqNumber;
  end: SeqNumber;
}

export type SequenceSet = SeqRange[];

/** Ranges in one set, an upper bound so "1,2,3,…" cannot grow without end. */
export const SEQUENCE_SET_RANGES_MAX = 10_000;
/** RFC 3501 §9: nz-number fits in 32 bits. */
const NZ_NUMBER_MAX = 4_294_967_295;

function parseSeqNumber(text: string): SeqNumber | undefined {
  if (text === '*') return null;
  if (!/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= NZ_NUMBER_MAX ? value : undefined;
}

/** Parses a sequence set, or returns null when the text is not one. */
export function parseSequenceSet(text: string): SequenceSet | null {
  const parts = text.split(',');
  if (parts.length > SEQUENCE_SET_RANGES_MAX) return null;
  const ranges: SequenceSet = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon === -1) {
      const value = parseSeqNumber(part);
      if (value === undefined) return null;
      ranges.push({ start: value, end: value });
      continue;
    }
    const start = parseSeqNumber(part.slice(0, colon));
    const end = parseSeqNumber(part.slice(colon + 1));
    if (start === undefined || end === undefined) return null;
    ranges.push({ start, end });
  }
  return ranges;
}

export function formatSequenceSet(set: SequenceSet): string {
  const one = (n: SeqNumber) => (n === null ? '*' : String(n));
  return set.map((r) => (r.start === r.end ? one(r.start) : `${one(r.start)}:${one(r.end)}`)).join(',');
}

/** True when `value` is in the set, "*" standing for `largest` (RFC 3501 §9 seq-number). */
export function sequenceSetHas(set: SequenceSet, value: number, largest: number): boolean {
  for (const range of set) {
    const a = range.start ?? largest;
    const b = range.end ?? largest;
    if (value >= Math.min(a, b) && value <= Math.max(a, b)) return true;
  }
  return false;
}

/** Compact form of ascending numbers: [1,2,3,7] → "1:3,7" (for COPYUID, RFC 4315 §3 uid-set). */
export function compactNumbers(values: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j += 1;
    out.push(i === j ? String(values[i]) : `${values[i]}:${values[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
