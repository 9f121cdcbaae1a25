/**
 * A folder's in-memory index of its messages, in columns (src/store/folderBase.ts; issue 21).
 *
 * Theory of operation. UIDs are assigned ascending and never reused (RFC 3501 §2.3.1.1), so the index is
 * a list of slots in UID order: slot i holds `uids[i]`, its flags, internal date, size and one value the
 * folder's format keeps beside it (`extra`: a Maildir file name). A UID is found by binary search, after
 * one direct guess that hits whenever no slot before it was compacted away (a folder that was only
 * appended to). Expunging a message leaves a hole (its flags become null; its UID stays, so the UIDs
 * stay sorted for the search); when holes are more than half of the slots the columns are compacted.
 *
 * Why columns: a Map entry, a record object and its boxed date cost ~110 bytes for each of a million
 * messages; here a message costs 3 × 8 bytes of typed arrays and two array elements. Numbers are
 * kept in Float64Array: exact for every date in ms, every size, and every UID — even one a damaged
 * index on disk puts outside the 32 bits of RFC 3501 §2.3.1.1.
 * Nothing outside the folder sees the columns: `MessageInfo` objects are made when asked for.
 */

const initialCapacity = 8;

export class MessageIndex<T> {
  private uids = new Float64Array(initialCapacity);
  private dates = new Float64Array(initialCapacity);
  private sizes = new Float64Array(initialCapacity);
  /** null marks a hole (an expunged message). */
  private flagLists: Array<readonly string[] | null> = [];
  private extras: Array<T | undefined> = [];
  /** Slots in use, holes included. */
  private used = 0;
  private holes = 0;

  /** Messages held (holes not counted). */
  get size(): number {
    return this.used - this.holes;
  }

  /** Slots in use, holes included: iterate `0 <= slot < end` and skip `!live(slot)`. */
  get end(): number {
    return this.used;
  }

  /** The highest UID in a slot (a hole's too), or 0 when there is none. */
  get lastUid(): number {
    return this.used === 0 ? 0 : this.uids[this.used - 1]!;
  }

  live(slot: number): boolean {
    return this.flagLists[slot] !== null;
  }

  /** The slot holding `uid`, or -1 if no message has it. */
  slotOf(uid: number): number {
    const used = this.used;
    if (used === 0) return -1;
    const guess = uid - this.uids[0]!;
    if (guess >= 0 && guess < used && this.uids[guess] === uid) return this.flagLists[guess] === null ? -1 : guess;
    let low = 0;
    let high = used - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.uids[middle]!;
      if (at === uid) return this.flagLists[middle] === null ? -1 : middle;
      if (at < uid) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  uidAt(slot: number): number {
    return this.uids[slot]!;
  }
  flagsAt(slot: number): readonly string[] {
    return this.flagLists[slot]!;
  }
  dateAt(slot: number): number {
    return this.dates[slot]!;
  }
  sizeAt(slot: number): number {
    return this.sizes[slot]!;
  }
  extraAt(slot: number): T {
    return this.extras[slot] as T;
  }

  setFlags(slot: number, flags: readonly string[]): void {
    this.flagLists[slot] = flags;
  }
  setExtra(slot: number, extra: T): void {
    this.extras[slot] = extra;
  }

  /** Adds a message after every slot; its UID must be above all of them (holes included). */
  append(uid: number, flags: readonly string[], internalDateMs: number, size: number, extra: T): void {
    if (this.used > 0 && uid <= this.lastUid) throw new Error(`UIDs must ascend (${uid} after ${this.lastUid})`);
    if (this.used === this.uids.length) this.grow();
    const slot = this.used++;
    this.uids[slot] = uid;
    this.dates[slot] = internalDateMs;
    this.sizes[slot] = size;
    this.flagLists.push(flags);
    this.extras.push(extra);
  }

  /** Makes the message's slot a hole; compacts when holes are more than half of the slots. */
  remove(slot: number): void {
    if (this.flagLists[slot] === null) return;
    this.flagLists[slot] = null;
    this.extras[slot] = undefined;
    this.holes++;
    if (this.holes * 2 > this.used) this.compact();
  }

  clear(): void {
    this.uids = new Float64Array(initialCapacity);
    this.dates = new Float64Array(initialCapacity);
    this.sizes = new Float64Array(initialCapacity);
    this.flagLists = [];
    this.extras = [];
    this.used = 0;
    this.holes = 0;
  }

  /** Doubles the typed columns (the arrays grow by themselves). */
  private grow(): void {
    const capacity = this.uids.length * 2;
    const uids = new Float64Array(capacity);
    uids.set(this.uids);
    const dates = new Float64Array(capacity);
    dates.set(this.dates);
    const sizes = new Float64Array(capacity);
    sizes.set(this.sizes);
    this.uids = uids;
    this.dates = dates;
    this.sizes = sizes;
  }

  /** Moves the live slots down over the holes, in order. */
  private compact(): void {
    let to = 0;
    for (let from = 0; from < this.used; from++) {
      const flags = this.flagLists[from];
      if (!flags) continue;
      this.uids[to] = this.uids[from]!;
      this.dates[to] = this.dates[from]!;
      this.sizes[to] = this.sizes[from]!;
      this.flagLists[to] = flags;
      this.extras[to] = this.extras[from];
      to++;
    }
    this.used = to;
    this.holes = 0;
    this.flagLists.length = to;
    this.extras.length = to;
  }
}
