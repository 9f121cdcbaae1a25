/**
 * The event queue's overflow: a binary min-heap of (time, sequence number, slot) for events scheduled
 * beyond the near-future wheel (event-queue.ts) — protocol timeouts, retry timers, scripted items.
 *
 * Three parallel typed arrays that grow by doubling, so pushing and popping allocate nothing. Ties are
 * broken by the sequence number only (docs/architecture.md rule 3). The heap does not know about
 * cancellation; its owner drops cancelled entries at the top and calls `retain` to rebuild it.
 */

const initialCapacity = 1024;

export class FarHeap {
  private times = new Float64Array(initialCapacity);
  private seqs = new Float64Array(initialCapacity);
  private slots = new Int32Array(initialCapacity);
  /** Entries held, cancelled ones included. */
  size = 0;

  /** Time of the earliest entry, or Infinity when empty. */
  topTimeMs(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Slot of the earliest entry; only when size > 0. */
  /** The sequence number of the earliest entry (only when size > 0). */
  topSeq(): number {
    return this.seqs[0]!;
  }

  topSlot(): number {
    return this.slots[0]!;
  }

  push(timeMs: number, seq: number, slot: number): void {
    if (this.size === this.times.length) this.grow();
    this.siftUp(this.size++, timeMs, seq, slot);
  }

  removeTop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(0, this.times[last]!, this.seqs[last]!, this.slots[last]!);
  }

  /** Keeps only the entries whose slot `keep` accepts, then re-heapifies (Floyd), O(n). */
  retain(keep: (slot: number) => boolean): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = slots[i]!;
      if (!keep(slot)) continue;
      times[kept] = times[i]!;
      seqs[kept] = seqs[i]!;
      slots[kept] = slot;
      kept++;
    }
    this.size = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.siftDown(i, times[i]!, seqs[i]!, slots[i]!);
  }

  /** Places (t, s, slot) starting at hole `index`, moving parents down while they sort after it. */
  private siftUp(index: number, timeMs: number, seq: number, slot: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < timeMs || (parentTime === timeMs && seqs[parent]! < seq)) break;
      times[index] = parentTime;
      seqs[index] = seqs[parent]!;
      slots[index] = slots[parent]!;
      index = parent;
    }
    times[index] = timeMs;
    seqs[index] = seq;
    slots[index] = slot;
  }

  /** Places (t, s, slot) starting at hole `index`, moving the smaller child up while it sorts before it. */
  private siftDown(index: number, timeMs: number, seq: number, slot: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const size = this.size;
    const half = size >> 1;
    while (index < half) {
      let child = 2 * index + 1;
      let childTime = times[child]!;
      let childSeq = seqs[child]!;
      const right = child + 1;
      if (right < size) {
        const rightTime = times[right]!;
        const rightSeq = seqs[right]!;
        if (rightTime < childTime || (rightTime === childTime && rightSeq < childSeq)) {
          child = right;
          childTime = rightTime;
          childSeq = rightSeq;
        }
      }
      if (timeMs < childTime || (timeMs === childTime && seq < childSeq)) break;
      times[index] = childTime;
      seqs[index] = childSeq;
      slots[index] = slots[child]!;
      index = child;
    }
    times[index] = timeMs;
    seqs[index] = seq;
    slots[index] = slot;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}
