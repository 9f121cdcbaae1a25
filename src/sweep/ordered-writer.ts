/**
 * Writes a sweep's rows in run order whatever order the runs finish in: a result waits in a buffer until
 * every run before it (in this shard's sequence) is written. A run's recipient rows are written before
 * its run row, so a run in `runs.jsonl` always has all its recipients on disk (resume relies on it).
 * With at most a few batches in flight per worker, the buffer stays small.
 */
import { writeSync } from 'node:fs';
import type { RunLines } from './rows.js';

export class OrderedWriter {
  private readonly waiting = new Map<number, RunLines>();
  private next: IteratorResult<number>;
  written = 0;

  constructor(
    private readonly runsFd: number,
    private readonly recipientsFd: number,
    private readonly sequence: Iterator<number>,
  ) {
    this.next = sequence.next();
  }

  accept(result: RunLines): void {
    this.waiting.set(result.run, result);
    let recipients = '';
    let runs = '';
    while (!this.next.done && this.waiting.has(this.next.value)) {
      const ready = this.waiting.get(this.next.value)!;
      this.waiting.delete(this.next.value);
      recipients += ready.recipientLines;
      runs += ready.runLine;
      this.written++;
      this.next = this.sequence.next();
    }
    if (recipients !== '') writeSync(this.recipientsFd, recipients);
    if (runs !== '') writeSync(this.runsFd, runs);
  }

  /** Results still waiting for an earlier run (0 when the sweep is complete). */
  get pending(): number {
    return this.waiting.size;
  }
}
