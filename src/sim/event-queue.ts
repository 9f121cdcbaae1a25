/**
 * The kernel's event queue: events come out in (time, sequence number) order, docs/architecture.md rule 3.
 *
 * Theory of operation. Millions of events pass through here, so the hot path allocates nothing and
 * touches little memory:
 * - Each scheduled event owns a *slot* in a pool: its callback and argument side by side in one array
 *   (one cache line when the event fires), and its `next` link and generation side by side in a typed array. Slots are
 *   recycled through a free-slot stack, so steady-state scheduling creates no objects and a callback
 *   that schedules again reuses the slot that just fired (still in cache).
 * - Near future: a *wheel* of `wheelBuckets` one-millisecond buckets covers [cursor, cursor + wheelBuckets),
 *   where the cursor is the time of the last event popped (every later push is at or after it). Bucket
 *   `time mod wheelBuckets` holds the events at that one time as a linked list (through the slots'
 *   `next` links) in push order — which is sequence order, since sequence numbers only grow — so a
 *   push and a pop are O(1) and need no comparisons. A bitmap of non-empty buckets finds the next one.
 *   Most events are scheduled within a few seconds (latencies, processing steps), so most take this path;
 *   a binary heap of 100 000 entries, by contrast, costs ~17 levels of cache misses per pop.
 * - Far future: events at or beyond cursor + wheelBuckets go to a binary heap (far-heap.ts) ordered by
 *   (time, seq) and stay there until popped. The next event is the earlier of the wheel's and the heap's
 *   first; on equal times, the lower sequence number. Without reserved numbers (below) that is always the
 *   heap's: it was pushed while that time was still beyond the wheel, i.e. before any wheel entry at that
 *   time (the cursor only moves forward).
 * - Reserved sequence numbers: `reserveSeqs(n)` sets aside n numbers, and `pushReserved` later
 *   schedules an event with one of them — into the far heap, whatever its time, as the heap orders by
 *   (time, seq). It then runs exactly where an event pushed at the reservation would have run: a
 *   traffic item's repeats are scheduled one at a time, each by the previous one, instead of a million
 *   pending events from the start (issue 21). On equal times the wheel's first entry and the heap's top
 *   are compared by sequence number (each slot keeps its entry's), so a reserved event goes before the
 *   wheel entries pushed after its reservation and after those pushed before it.
 * - A TimerId packs (generation, slot) into one safe integer. Cancelling clears the slot's callback
 *   (lazy cancellation): the entry stays until it reaches the front, where it is skipped. A stale id (its
 *   slot already fired and was reused) has the wrong generation and cancels nothing.
 * - When cancelled entries make up more than half of a large far heap, the heap is rebuilt without them,
 *   so timer-heavy code (a timeout armed and cancelled per command) cannot bloat memory. Cancelled wheel
 *   entries need no such care: the cursor reaches them within wheelBuckets ms.
 * Ties are broken only by the sequence number, never by identity or hash order.
 */
import { FarHeap } from './far-heap.js';

/** Identifies a scheduled event, for `cancel`. Opaque: (generation × slotsMax) + slot. */
export type TimerId = number;

export type EventCallback<A> = (arg: A) => void;

/** Slots are addressed by the low 2^24 of a TimerId, so at most this many events can be pending. */
export const pendingEventsMax = 1 << 24;
const generationFactor = pendingEventsMax;
/** Generations wrap below 2^28 so (generation × 2^24 + slot) stays a safe integer (< 2^53). */
const generationMask = (1 << 28) - 1;
const slotsInitialCapacity = 1024;
/** Rebuild the far heap once it holds more cancelled entries than live ones, above this size. */
const compactionSizeMin = 4096;
/** log2 of the wheel's one-ms buckets: 4096 ms of near future (network latencies, processing steps). */
export const wheelBucketsLog2Default = 12;
/** The bitmap is scanned 32 buckets per word, so the wheel needs at least one word. */
const wheelBucketsLog2Min = 5;
/** A wheel larger than 2^24 buckets (4.6 hours) would only cost memory and scanning. */
const wheelBucketsLog2Max = 24;
/** `next` link value: end of a bucket's list. */
const noSlot = -1;
/** `next` link value: the slot's entry is in the far heap, not in the wheel. */
const inFarHeap = -2;
/** `wheelNextMs` value: not known, scan the bitmap. (Infinity means the wheel is empty.) */
const wheelNextUnknown = -1;

export class EventQueue {
  // The slot pool. slotData holds [callback, argument] at [2 × slot, 2 × slot + 1].
  private slotData: unknown[] = [];
  /** [next, generation] at [2 × slot, 2 × slot + 1]: side by side, as a pop touches both. */
  private slotLinks = new Int32Array(2 * slotsInitialCapacity);
  private slotCount = 0;
  private freeSlots = new Int32Array(slotsInitialCapacity);
  private freeCount = 0;
  /** Each slot's sequence number: the wheel's first entry is compared with the far heap's top on equal times. */
  private slotSeqs = new Float64Array(slotsInitialCapacity);

  // The near-future wheel.
  private readonly wheelMask: number;
  private readonly bucketHead: Int32Array;
  private readonly bucketTail: Int32Array;
  /** Bit b set ⇔ bucket b is non-empty. */
  private readonly bucketBits: Uint32Array;
  /** Entries in the wheel, cancelled ones included. */
  private wheelCount = 0;
  /** Time of the wheel's first non-empty bucket; Infinity when empty, wheelNextUnknown after it emptied. */
  private wheelNextMs = Number.POSITIVE_INFINITY;
  /** Time of the last event popped: the wheel covers [cursorMs, cursorMs + buckets). */
  private cursorMs = 0;

  private readonly far = new FarHeap();
  private cancelledInFar = 0;
  private nextSeq = 0;
  private liveCount = 0;

  /** `wheelBucketsLog2` is a tuning knob (tests use a small wheel to exercise the far heap). */
  constructor(wheelBucketsLog2 = wheelBucketsLog2Default) {
    if (!Number.isInteger(wheelBucketsLog2) || wheelBucketsLog2 < wheelBucketsLog2Min || wheelBucketsLog2 > wheelBucketsLog2Max) {
      throw new RangeError(`wheelBucketsLog2 must be an integer in [${wheelBucketsLog2Min}, ${wheelBucketsLog2Max}], got ${wheelBucketsLog2}`);
    }
    const buckets = 1 << wheelBucketsLog2;
    this.wheelMask = buckets - 1;
    this.bucketHead = new Int32Array(buckets).fill(noSlot);
    this.bucketTail = new Int32Array(buckets).fill(noSlot);
    this.bucketBits = new Uint32Array(buckets >> 5);
  }

  /** Events scheduled and not yet fired or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Schedules at `timeMs`, an integer ≥ the time of the last event popped (the Simulator checks ≥ now). */
  push<A>(timeMs: number, callback: EventCallback<A>, arg: A): TimerId {
    const slot = this.slotFor(timeMs, callback, arg);
    const seq = this.nextSeq++;
    this.slotSeqs[slot] = seq;
    if (timeMs - this.cursorMs <= this.wheelMask) {
      this.wheelAppend(timeMs, slot);
    } else {
      this.slotLinks[2 * slot] = inFarHeap;
      this.far.push(timeMs, seq, slot);
    }
    this.liveCount++;
    return this.slotLinks[2 * slot + 1]! * generationFactor + slot;
  }

  /** Sets aside `count` sequence numbers for `pushReserved`; returns the first. */
  reserveSeqs(count: number): number {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`reserveSeqs: count must be a whole number ≥ 0, got ${count}`);
    const first = this.nextSeq;
    this.nextSeq += count;
    return first;
  }

  /**
   * Schedules at `timeMs` with a sequence number set aside by `reserveSeqs` (each used once): the event
   * runs where one pushed at the reservation would have (see the top of the file).
   */
  pushReserved<A>(timeMs: number, seq: number, callback: EventCallback<A>, arg: A): TimerId {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= this.nextSeq) throw new RangeError(`event queue: sequence number ${seq} was not reserved`);
    const slot = this.slotFor(timeMs, callback, arg);
    this.slotSeqs[slot] = seq;
    this.slotLinks[2 * slot] = inFarHeap;
    this.far.push(timeMs, seq, slot);
    this.liveCount++;
    return this.slotLinks[2 * slot + 1]! * generationFactor + slot;
  }

  /** Cancels a pending event; returns false when it already fired, was cancelled, or never existed. */
  cancel(id: TimerId): boolean {
    const slot = id % generationFactor;
    const generation = (id - slot) / generationFactor;
    // Not only a TimerId from push: slot indexes arrays of pairs, so a fraction would hit a neighbour.
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) return false;
    if (this.slotLinks[2 * slot + 1] !== generation) return false;
    if (this.slotData[2 * slot] === null) return false;
    this.slotData[2 * slot] = null;
    this.slotData[2 * slot + 1] = undefined;
    this.liveCount--;
    if (this.slotLinks[2 * slot] === inFarHeap) {
      this.cancelledInFar++;
      if (this.far.size >= compactionSizeMin && this.cancelledInFar * 2 > this.far.size) this.compactFar();
    }
    return true;
  }

  /** Time of the earliest live event, or Infinity when none is pending. Skips cancelled entries. */
  peekTimeMs(): number {
    return Math.min(this.wheelFirstMs(), this.farFirstMs());
  }

  /**
   * Removes the earliest live event if its time is ≤ `limitMs` and runs it through `fire` — the caller
   * sets its clock first. Returns false (and removes nothing live) when no event is due. The slot is
   * recycled before the callback runs, so a callback that schedules again reuses it.
   */
  popDueInto(limitMs: number, runner: EventRunner): boolean {
    const wheelMs = this.wheelFirstMs();
    let timeMs: number;
    let slot: number;
    for (;;) {
      // The far heap's top may be cancelled: it is only looked at when it would come first, so a
      // timeout armed and cancelled per event costs no heap pop per event (compaction cleans up).
      const farMs = this.far.topTimeMs();
      if (wheelMs < farMs || (wheelMs === farMs && farMs !== Number.POSITIVE_INFINITY && this.wheelGoesFirst(wheelMs))) {
        if (wheelMs > limitMs) return false;
        timeMs = wheelMs;
        slot = this.wheelShift(wheelMs & this.wheelMask);
        break;
      }
      if (farMs > limitMs || farMs === Number.POSITIVE_INFINITY) return false;
      timeMs = farMs;
      slot = this.far.topSlot();
      this.far.removeTop();
      if (this.slotData[2 * slot] !== null) break;
      this.releaseSlot(slot);
      this.cancelledInFar--;
    }
    this.cursorMs = timeMs;
    const callback = this.slotData[2 * slot] as EventCallback<unknown>;
    const arg = this.slotData[2 * slot + 1];
    this.releaseSlot(slot);
    this.liveCount--;
    runner.fire(timeMs, callback, arg);
    return true;
  }

  /**
   * On equal times, whether the wheel's first entry (live: `wheelFirstMs` dropped cancelled ones) has
   * the lower sequence number than the far heap's top. Without `pushReserved` never: an event in the
   * heap was pushed while its time was beyond the wheel, before any wheel entry at that time.
   */
  private wheelGoesFirst(timeMs: number): boolean {
    return this.slotSeqs[this.bucketHead[timeMs & this.wheelMask]!]! < this.far.topSeq();
  }

  /**
   * Moves the wheel's window to start at `timeMs` once nothing is pending before it (the Simulator's
   * runUntil moved its clock there), so events scheduled just after it still take the wheel.
   */
  advanceTo(timeMs: number): void {
    if (timeMs > this.cursorMs && timeMs <= this.peekTimeMs()) this.cursorMs = timeMs;
  }

  /** A slot for an event at `timeMs` (`push` and `pushReserved`): refuses a full queue and a time in the past. */
  private slotFor(timeMs: number, callback: EventCallback<never>, arg: unknown): number {
    if (this.slotCount - this.freeCount >= pendingEventsMax) {
      throw new RangeError(`event queue full: pendingEventsMax (${pendingEventsMax}) reached`);
    }
    if (timeMs < this.cursorMs) throw new RangeError(`event queue: ${timeMs} is before the last event (${this.cursorMs})`);
    return this.allocateSlot(callback, arg);
  }

  private allocateSlot(callback: EventCallback<never>, arg: unknown): number {
    if (this.freeCount > 0) {
      const slot = this.freeSlots[--this.freeCount]!;
      this.slotData[2 * slot] = callback;
      this.slotData[2 * slot + 1] = arg;
      return slot;
    }
    const slot = this.slotCount++;
    if (slot === this.freeSlots.length) this.growSlots();
    this.slotData.push(callback, arg);
    return slot;
  }

  private releaseSlot(slot: number): void {
    this.slotData[2 * slot] = null;
    this.slotData[2 * slot + 1] = undefined;
    this.slotLinks[2 * slot + 1] = (this.slotLinks[2 * slot + 1]! + 1) & generationMask;
    this.freeSlots[this.freeCount++] = slot;
  }

  private growSlots(): void {
    const capacity = this.freeSlots.length * 2;
    const links = new Int32Array(2 * capacity);
    const free = new Int32Array(capacity);
    const seqs = new Float64Array(capacity);
    links.set(this.slotLinks);
    free.set(this.freeSlots);
    seqs.set(this.slotSeqs);
    this.slotLinks = links;
    this.freeSlots = free;
    this.slotSeqs = seqs;
  }

  /** Appends to the bucket of `timeMs` (within the wheel's span): last in its list, as it has the highest seq. */
  private wheelAppend(timeMs: number, slot: number): void {
    const bucket = timeMs & this.wheelMask;
    this.slotLinks[2 * slot] = noSlot;
    if (this.bucketHead[bucket] === noSlot) {
      this.bucketHead[bucket] = slot;
      this.bucketBits[bucket >> 5]! |= 1 << (bucket & 31);
    } else {
      this.slotLinks[2 * this.bucketTail[bucket]!] = slot;
    }
    this.bucketTail[bucket] = slot;
    this.wheelCount++;
    // Infinity (empty) or a later first bucket: this one is first now. Unknown (-1) stays unknown.
    if (timeMs < this.wheelNextMs) this.wheelNextMs = timeMs;
  }

  /** Unlinks and returns the first slot of a non-empty bucket. */
  private wheelShift(bucket: number): number {
    const slot = this.bucketHead[bucket]!;
    const next = this.slotLinks[2 * slot]!;
    this.bucketHead[bucket] = next;
    this.wheelCount--;
    if (next === noSlot) {
      this.bucketTail[bucket] = noSlot;
      this.bucketBits[bucket >> 5]! &= ~(1 << (bucket & 31));
      this.wheelNextMs = this.wheelCount === 0 ? Number.POSITIVE_INFINITY : wheelNextUnknown;
    }
    return slot;
  }

  /** Time of the wheel's first live entry (dropping cancelled ones on the way), or Infinity. */
  private wheelFirstMs(): number {
    for (;;) {
      let timeMs = this.wheelNextMs;
      if (timeMs === wheelNextUnknown) timeMs = this.wheelNextMs = this.scanWheel();
      if (timeMs === Number.POSITIVE_INFINITY) return timeMs;
      const bucket = timeMs & this.wheelMask;
      if (this.slotData[2 * this.bucketHead[bucket]!] !== null) return timeMs;
      this.releaseSlot(this.wheelShift(bucket));
    }
  }

  /**
   * Finds the first non-empty bucket at or after the cursor, 32 buckets per bitmap word, wrapping
   * around. Only called when the wheel is not empty. Every entry lies in [cursor, cursor + buckets),
   * so the distance from the cursor's bucket gives its time.
   */
  private scanWheel(): number {
    const bits = this.bucketBits;
    const wordMask = bits.length - 1;
    const start = this.cursorMs & this.wheelMask;
    let word = start >> 5;
    let pending = bits[word]! & (-1 << (start & 31));
    // At most every word once, plus the start word's low bits again after wrapping around.
    for (let words = 0; pending === 0; words++) {
      if (words > wordMask) throw new Error('event queue: the wheel count and its bitmap disagree');
      word = (word + 1) & wordMask;
      pending = bits[word]!;
    }
    const bucket = (word << 5) + 31 - Math.clz32(pending & -pending);
    return this.cursorMs + ((bucket - start) & this.wheelMask);
  }

  /** Time of the far heap's first live entry (dropping cancelled ones), or Infinity. */
  private farFirstMs(): number {
    const far = this.far;
    while (far.size > 0) {
      const slot = far.topSlot();
      if (this.slotData[2 * slot] !== null) return far.topTimeMs();
      far.removeTop();
      this.releaseSlot(slot);
      this.cancelledInFar--;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Drops every cancelled far entry (releasing its slot) and re-heapifies, O(n). */
  private compactFar(): void {
    this.far.retain((slot) => {
      if (this.slotData[2 * slot] !== null) return true;
      this.releaseSlot(slot);
      return false;
    });
    this.cancelledInFar = 0;
  }
}

/** What `popDueInto` hands the event to; the Simulator implements it (no closure per event). */
export interface EventRunner {
  // biome-ignore lint/suspicious/noExplicitAny: the pool stores callbacks of every argument type.
  fire(timeMs: number, callback: EventCallback<any>, arg: unknown): void;
}
