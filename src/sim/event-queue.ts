/**
 * The kernel's event queue: a binary min-heap ordered by (time, sequence number), ARCHITECTURE.md rule 3.
 *
 * Theory of operation. Millions of events pass through here, so the hot path allocates nothing:
 * - The heap itself is three parallel typed arrays (time, sequence, slot) that grow by doubling.
 * - Each scheduled event owns a *slot* in a pool (callback, argument, generation). Slots are recycled
 *   through a free list, so steady-state scheduling creates no objects.
 * - A TimerId packs (generation, slot) into one safe integer. Cancelling clears the slot's callback
 *   (lazy cancellation): the heap entry stays until it reaches the top, where it is skipped. A stale
 *   id (its slot already fired and was reused) has the wrong generation and cancels nothing.
 * - When cancelled entries make up more than half of a large heap, the heap is rebuilt without them,
 *   so timer-heavy code (a timeout armed and cancelled per command) cannot bloat memory.
 * Ties are broken only by the sequence number, never by identity or hash order.
 */

/** Identifies a scheduled event, for `cancel`. Opaque: (generation × slotsMax) + slot. */
export type TimerId = number;

export type EventCallback<A> = (arg: A) => void;

/** Slots are addressed by the low 2^24 of a TimerId, so at most this many events can be pending. */
export const pendingEventsMax = 1 << 24;
const generationFactor = pendingEventsMax;
/** Generations wrap below 2^28 so (generation × 2^24 + slot) stays a safe integer (< 2^53). */
const generationsMax = 1 << 28;
const initialCapacity = 1024;
/** Rebuild the heap once it holds more cancelled entries than live ones, above this size. */
const compactionSizeMin = 4096;

export class EventQueue {
  private heapTimeMs = new Float64Array(initialCapacity);
  private heapSeq = new Float64Array(initialCapacity);
  private heapSlot = new Int32Array(initialCapacity);
  private heapSize = 0;

  // biome-ignore lint/suspicious/noExplicitAny: the pool stores callbacks of every argument type.
  private slotCallback: Array<EventCallback<any> | null> = [];
  private slotArg: unknown[] = [];
  private slotGeneration: number[] = [];
  private freeSlots: number[] = [];

  private nextSeq = 0;
  private liveCount = 0;
  private cancelledInHeap = 0;

  /** Events scheduled and not yet fired or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  push<A>(timeMs: number, callback: EventCallback<A>, arg: A): TimerId {
    if (this.liveCount + this.cancelledInHeap >= pendingEventsMax) {
      throw new RangeError(`event queue full: pendingEventsMax (${pendingEventsMax}) reached`);
    }
    let slot: number;
    if (this.freeSlots.length > 0) {
      slot = this.freeSlots.pop()!;
      this.slotCallback[slot] = callback;
      this.slotArg[slot] = arg;
    } else {
      slot = this.slotCallback.length;
      this.slotCallback.push(callback);
      this.slotArg.push(arg);
      this.slotGeneration.push(0);
    }
    if (this.heapSize === this.heapTimeMs.length) this.grow();
    const seq = this.nextSeq++;
    this.siftUp(this.heapSize++, timeMs, seq, slot);
    this.liveCount++;
    return this.slotGeneration[slot]! * generationFactor + slot;
  }

  /** Cancels a pending event; returns false when it already fired, was cancelled, or never existed. */
  cancel(id: TimerId): boolean {
    const slot = id % generationFactor;
    const generation = (id - slot) / generationFactor;
    if (slot >= this.slotCallback.length || this.slotGeneration[slot] !== generation) return false;
    if (this.slotCallback[slot] === null) return false;
    this.slotCallback[slot] = null;
    this.slotArg[slot] = undefined;
    this.liveCount--;
    this.cancelledInHeap++;
    if (this.heapSize >= compactionSizeMin && this.cancelledInHeap * 2 > this.heapSize) this.compact();
    return true;
  }

  /** Time of the earliest live event, or Infinity when none is pending. Skips cancelled entries. */
  peekTimeMs(): number {
    this.dropCancelledTop();
    return this.heapSize === 0 ? Number.POSITIVE_INFINITY : this.heapTimeMs[0]!;
  }

  /**
   * Removes the earliest live event and runs it through `fire` — the caller sets its clock first.
   * Returns false when nothing is pending. The slot is recycled before the callback runs, so a
   * callback that schedules again reuses it.
   */
  popInto(runner: EventRunner): boolean {
    this.dropCancelledTop();
    if (this.heapSize === 0) return false;
    const timeMs = this.heapTimeMs[0]!;
    const slot = this.heapSlot[0]!;
    this.removeTop();
    const callback = this.slotCallback[slot]!;
    const arg = this.slotArg[slot];
    this.releaseSlot(slot);
    this.liveCount--;
    runner.fire(timeMs, callback, arg);
    return true;
  }

  private dropCancelledTop(): void {
    while (this.heapSize > 0) {
      const slot = this.heapSlot[0]!;
      if (this.slotCallback[slot] !== null) return;
      this.removeTop();
      this.releaseSlot(slot);
      this.cancelledInHeap--;
    }
  }

  private releaseSlot(slot: number): void {
    this.slotCallback[slot] = null;
    this.slotArg[slot] = undefined;
    this.slotGeneration[slot] = (this.slotGeneration[slot]! + 1) % generationsMax;
    this.freeSlots.push(slot);
  }

  private removeTop(): void {
    const last = --this.heapSize;
    if (last > 0) this.siftDown(0, this.heapTimeMs[last]!, this.heapSeq[last]!, this.heapSlot[last]!);
  }

  /** Places (t, s, slot) starting at hole `index`, moving parents down while they sort after it. */
  private siftUp(index: number, timeMs: number, seq: number, slot: number): void {
    const times = this.heapTimeMs;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
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

  private siftDown(index: number, timeMs: number, seq: number, slot: number): void {
    const times = this.heapTimeMs;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
    const size = this.heapSize;
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
    const capacity = this.heapTimeMs.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.heapTimeMs);
    seqs.set(this.heapSeq);
    slots.set(this.heapSlot);
    this.heapTimeMs = times;
    this.heapSeq = seqs;
    this.heapSlot = slots;
  }

  /** Drops every cancelled entry and re-heapifies (Floyd), O(n). */
  private compact(): void {
    let kept = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heapSlot[i]!;
      if (this.slotCallback[slot] === null) {
        this.releaseSlot(slot);
        continue;
      }
      this.heapTimeMs[kept] = this.heapTimeMs[i]!;
      this.heapSeq[kept] = this.heapSeq[i]!;
      this.heapSlot[kept] = slot;
      kept++;
    }
    this.heapSize = kept;
    this.cancelledInHeap = 0;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.heapTimeMs[i]!, this.heapSeq[i]!, this.heapSlot[i]!);
    }
  }
}

/** What `popInto` hands the event to; the Simulator implements it (no closure per event). */
export interface EventRunner {
  // biome-ignore lint/suspicious/noExplicitAny: see slotCallback.
  fire(timeMs: number, callback: EventCallback<any>, arg: unknown): void;
}
