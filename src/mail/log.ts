/**
 * The mail log: where nodes record what happened to every message and every recipient, on every hop —
 * one entry point, `record(event)`, for every fact of `events/` (a submission, an attempt, an
 * acceptance on a hop, a landing, a bounce, a DSN, a discard, a refusal, an open relay).
 *
 * Theory of operation. The event's declaration (events/index.ts, by its kind) gives both of its
 * effects, so no fact is written twice: its `mail.*` line in the trace (the digest covers it and
 * `--trace` shows it) and its fold into `records`, the per-message and per-recipient records the
 * report (docs/reference.md §9) and the invariants (§8: no-loss, dsn-sanity, no-open-relay) are built
 * from (records.ts). Folding as the events come keeps no event list: the records are the fold so far.
 * Observers (`observe`) hear every event as it is recorded — a test server (src/testing/server.ts)
 * learns of each landing that way; the simulator itself has none.
 */
import type { Simulator } from '../sim/index.js';
import { type MailEvent, mailEventDef } from './events/index.js';
import { MailRecords } from './records.js';

export interface MailLogOptions {
  /**
   * Keep the records for a report. Default true. `mailsim serve` builds no report and runs for as long as
   * it is left running: it records the trace lines only, so its memory does not grow with every message.
   */
  keep?: boolean;
}

/** Hears one recorded event, at the virtual time it was recorded. */
export type MailLogObserver = (event: MailEvent, atMs: number) => void;

export class MailLog {
  /** What the events recorded so far folded into (empty when the log keeps nothing). */
  readonly records = new MailRecords();
  private readonly keep: boolean;
  private readonly observers = new Set<MailLogObserver>();

  constructor(
    private readonly sim: Simulator,
    options: MailLogOptions = {},
  ) {
    this.keep = options.keep ?? true;
  }

  /** Records one fact: its trace line now, and its fold into the records. */
  record(event: MailEvent): void {
    const def = mailEventDef(event.kind);
    this.sim.trace.record(event.kind, def.trace(event));
    if (this.keep) def.fold(this.records, event, this.sim.nowMs);
    if (this.observers.size > 0) for (const observer of this.observers) observer(event, this.sim.nowMs);
  }

  /** Calls `observer` with every event recorded from now on, until the returned function is called. */
  observe(observer: MailLogObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }
}
