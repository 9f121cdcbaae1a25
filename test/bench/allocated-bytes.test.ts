/** The bench's allocation count (bench/scenario-child.ts `allocatedBytes`, issue 21): heap growth between GCs, summed. */
import { describe, expect, it } from 'vitest';
import { allocatedBytes } from '../../bench/scenario-child.js';

const gc = (before: number, after: number) => ({ cost: 0, beforeGC: { heapStatistics: { usedHeapSize: before } }, afterGC: { heapStatistics: { usedHeapSize: after } } });

describe('allocatedBytes', () => {
  it('no GC: the growth of the heap', () => {
    expect(allocatedBytes(100, [], 350)).toBe(250);
  });
  it('sums what each GC found above the heap the previous one left, and the growth after the last', () => {
    // 100 → 1,000 (900 allocated), GC leaves 200; → 700 (500), GC leaves 150; → 400 (250)
    expect(allocatedBytes(100, [gc(1_000, 200), gc(700, 150)], 400)).toBe(900 + 500 + 250);
  });
  it('never counts a shrink as negative allocation', () => {
    expect(allocatedBytes(500, [gc(400, 100)], 50)).toBe(0);
  });
});
