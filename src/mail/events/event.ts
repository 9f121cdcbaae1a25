/**
 * The shape of a mail event's declaration: one mail-level fact (a submission, an attempt, a landing, a
 * bounce …) declared once, in one file of this folder, and listed in `index.ts`.
 *
 * Theory of operation. A node records a fact with `MailLog.record(event)` (src/mail/log.ts), where the
 * event is a plain object whose `kind` is the trace kind (`mail.attempt`). The log asks the kind's
 * declaration for the rest: `trace` gives the trace line's fields, in the order the trace writes them
 * (their bytes are pinned by test/digests.test.ts), and `fold` applies the fact to the records the
 * report is built from (records.ts). `render` says how the reports show what the fact folded into,
 * where they show it (render.ts). Every call site of a kind writes the event's keys in one order —
 * the order of its interface — so each kind has one object shape (test/mail/events.test.ts checks it).
 */
import type { TraceFields } from '../../sim/trace.js';
import type { MailRecords } from '../records.js';
import type { MailEventRender } from './render.js';

export interface MailEventDef<E extends { readonly kind: string }> {
  /** The trace kind, which is also the event's `kind`. */
  readonly kind: E['kind'];
  /** The trace line's fields, in the trace's order: a new object literal, keys written in that order. */
  trace(event: E): TraceFields;
  /** Applies the fact, recorded at `atMs`, to the records the report is built from. */
  fold(records: MailRecords, event: E, atMs: number): void;
  /** How the reports show it, where they do. */
  readonly render: MailEventRender;
}

/** A declaration, typed by its event (the identity: it only lets TypeScript check the parts against E). */
export function defineMailEvent<E extends { readonly kind: string }>(def: MailEventDef<E>): MailEventDef<E> {
  return def;
}
