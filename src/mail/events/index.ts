/**
 * The mail events, listed once. `MailLog.record` (src/mail/log.ts) finds an event's declaration here by
 * its kind; the reports (src/report/) ask every one of them, in this order, how it shows — so the order
 * is the order of the marks on a journey lane, of the legend, and of the facts in the Markdown
 * recipients table and on a lane's line. Adding an event: docs/architecture.md, "Adding a mail event".
 */
import { accepted } from './accepted.js';
import { attempted } from './attempted.js';
import { bounced } from './bounced.js';
import { delivered } from './delivered.js';
import { discarded } from './discarded.js';
import { dsnSent } from './dsn-sent.js';
import type { MailEventDef } from './event.js';
import type { RecipientFact } from './render.js';
import { openRelay } from './open-relay.js';
import { rejected } from './rejected.js';
import { submitted } from './submitted.js';

export const mailEvents = [submitted, attempted, accepted, delivered, bounced, discarded, rejected, dsnSent, openRelay] as const;

type EventOf<D> = D extends MailEventDef<infer E> ? E : never;

/** Any mail event: what `MailLog.record` takes. */
export type MailEvent = EventOf<(typeof mailEvents)[number]>;
export type MailEventKind = MailEvent['kind'];

// Method parameters are bivariant, so a declaration of one kind passes for one of any event; `record`
// only ever hands a declaration the events of its own kind (the map is keyed by it).
const byKind = new Map<string, MailEventDef<MailEvent>>(mailEvents.map((def) => [def.kind, def]));

/** The events' facts about a recipient, in the registry's order: the reports' columns (render.ts). */
export const recipientFacts: readonly RecipientFact[] = mailEvents.flatMap((def): RecipientFact[] => (def.render.fact === undefined ? [] : [def.render.fact]));

/** The declaration of an event kind. */
export function mailEventDef(kind: MailEventKind): MailEventDef<MailEvent> {
  const def = byKind.get(kind);
  if (def === undefined) throw new Error(`no mail event ${kind}`);
  return def;
}

export type { Accepted } from './accepted.js';
export type { Attempted } from './attempted.js';
export type { Bounced } from './bounced.js';
export type { Delivered } from './delivered.js';
export type { Discarded } from './discarded.js';
export type { DsnSent } from './dsn-sent.js';
export type { OpenRelay } from './open-relay.js';
export type { Rejected } from './rejected.js';
export type { Submitted } from './submitted.js';
export type { MailEventDef } from './event.js';
export type { JourneyLane, MailEventRender, MessageView, RecipientFact, RecipientView } from './render.js';
export { endMark } from './render.js';
export { describeRelayViolation } from './open-relay.js';
export { summariseAttempts } from './attempted.js';
