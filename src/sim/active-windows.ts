/**
 * The windows of one fault kind in force on one target (a host, a link, a DNS name), in the order
 * they opened. Faults are intervals, not toggles (docs/reference.md §6): the state a target has is
 * computed from the windows open now — the most recently opened one (`latest`), or all of them
 * (`values`) — never by restoring what a window saw when it opened, which breaks as soon as two
 * windows overlap or one ends as the next begins.
 */
export class ActiveWindows<T> {
  private readonly open: Array<{ value: T }> = [];

  /** Opens a window holding `value`; the returned function closes it (a second call does nothing). */
  add(value: T): () => void {
    const entry = { value };
    this.open.push(entry);
    return () => {
      const index = this.open.indexOf(entry);
      if (index >= 0) this.open.splice(index, 1);
    };
  }

  /** The value of the window opened last among those still open, or undefined when none is. */
  latest(): T | undefined {
    return this.open[this.open.length - 1]?.value;
  }

  /** The values of the open windows, oldest first. */
  values(): T[] {
    return this.open.map((entry) => entry.value);
  }

  get size(): number {
    return this.open.length;
  }
}
