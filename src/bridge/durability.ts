/**
 * Output commit for `mailsim serve --maildir`: which socket output must wait for the disk.
 *
 * Theory of operation. The real-filesystem disk (fs-disk.ts) does not fsync inside each call any more:
 * it numbers every mutation (1, 2, 3, …) and makes them durable in groups, in the background (group
 * commit). This object holds those numbers — the latest mutation, and the highest one up to which
 * everything is durable — and wakes whoever waits for a number to become durable.
 *
 * A node answers synchronously in the same turn of the event loop as the disk calls its answer depends
 * on (the SMTP service commits the message to the queue and returns 250 to the final dot in one call;
 * a POP3 UPDATE or an IMAP APPEND likewise). So the socket adapter asks `neededNow()` at every write:
 * the latest mutation made in the current turn (a microtask ends the turn), or 0 when the turn made
 * none or it is already durable. A write that needs a number is held until that number is durable —
 * which covers every earlier mutation too — so the 250 goes out only after the message is on disk
 * (docs/delivery.md R1), while replies that depend on nothing (EHLO, RCPT, …) are never delayed.
 */

interface Waiter {
  seq: number;
  resume: () => void;
}

export class DurableSequence {
  private latestSeq = 0;
  private durableSeq = 0;
  /** The latest mutation of the current event-loop turn (0 after the turn). */
  private turnSeq = 0;
  private turnEndQueued = false;
  /** In non-decreasing `seq` order: numbers are handed out in order and waited for when handed out. */
  private readonly waiters: Waiter[] = [];

  /** Records one mutation and returns its number. */
  mutated(): number {
    this.latestSeq += 1;
    this.turnSeq = this.latestSeq;
    if (!this.turnEndQueued) {
      this.turnEndQueued = true;
      queueMicrotask(() => {
        this.turnEndQueued = false;
        this.turnSeq = 0;
      });
    }
    return this.latestSeq;
  }

  get latest(): number {
    return this.latestSeq;
  }

  get durable(): number {
    return this.durableSeq;
  }

  /** What output written now must wait for: this turn's latest mutation, or 0 if nothing. */
  neededNow(): number {
    return this.turnSeq > this.durableSeq ? this.turnSeq : 0;
  }

  /** Calls `resume` once every mutation up to `seq` is durable (at once if it already is). */
  whenDurable(seq: number, resume: () => void): void {
    if (seq <= this.durableSeq) {
      resume();
      return;
    }
    let at = this.waiters.length;
    while (at > 0 && this.waiters[at - 1]!.seq > seq) at -= 1; // almost always appends
    this.waiters.splice(at, 0, { seq, resume });
  }

  /** Everything up to `seq` is durable now. */
  markDurable(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    let done = 0;
    while (done < this.waiters.length && this.waiters[done]!.seq <= seq) done += 1;
    for (const waiter of this.waiters.splice(0, done)) waiter.resume();
  }
}
