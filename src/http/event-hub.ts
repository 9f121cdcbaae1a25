/**
 * What the event stream (`GET /api/v1/events`, Server-Sent Events) tells a listener, gathered in one
 * place: `new` when a message is stored (the data is its Mailpit list item, as Mailpit's own event
 * stream sends it, made from the summary the cheap header scan kept as it landed — never a full parse:
 * a message whose Snippet only the full parse can tell is announced with Snippet "" and Attachments 0), `received` / `delivered` / `deferred` / `bounced` / `rejected` from serve's mail
 * log (src/mail/events/: mail.accept, mail.deliver, mail.attempt that was not accepted, mail.bounce,
 * mail.reject), `fault` when a fault served over HTTP is added, becomes active, ends or is removed, and
 * `fault-fired` each time a scripted fault (from HTTP, chaos or `--scenario`) takes effect on a command
 * (src/nodes/smtp/fault-book.ts listeners).
 *
 * Listening is outside the trace and the records (MailLog observers), so it changes no digest.
 */
import type { ServeHost } from '../bridge/serve-host.js';
import type { MailEvent } from '../mail/events/index.js';
import type { CapturedMail } from './captured.js';
import { listItem, parsed, summaryItem } from './message-view.js';
import type { ServedFaults } from './served-faults.js';

export interface HubEvent {
  type: 'new' | 'received' | 'delivered' | 'deferred' | 'bounced' | 'rejected' | 'fault' | 'fault-fired';
  data: unknown;
}

const noBody = { Snippet: '', Attachments: 0 };

export interface IntakeStats {
  accepted: number;
  rejected: number;
}

export class EventHub {
  private readonly listeners = new Set<(event: HubEvent) => void>();
  readonly stats: IntakeStats = { accepted: 0, rejected: 0 };

  /** Stops hearing of stored messages; null while nobody listens (then a delivery costs the hub nothing). */
  private stopStored: (() => void) | null = null;

  constructor(
    host: ServeHost,
    private readonly captured: CapturedMail,
    faults: ServedFaults,
  ) {
    host.log.observe((event) => this.fromMailLog(event));
    faults.onChange((change) => this.emit({ type: 'fault', data: change }));
    host.faults.onFired((fired) => this.emit({ type: 'fault-fired', data: fired }));
  }

  /** Hears every event from now on; returns the function that stops listening. */
  listen(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    const captured = this.captured;
    this.stopStored ??= captured.onStored((ref) => {
      const summary = captured.summary(ref);
      if (summary !== null) {
        this.emit({ type: 'new', data: summaryItem(ref, summary, summary.body ?? noBody) });
        return;
      }
      // A charset only the full parse knows: rare, and parsed once (the listing reuses it).
      void parsed(ref, (r) => captured.read(r)).then(
        (mail) => this.emit({ type: 'new', data: listItem(ref, mail) }),
        () => {},
      );
    });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.stopStored?.();
      this.stopStored = null;
    };
  }

  private fromMailLog(event: MailEvent): void {
    if (event.kind === 'mail.accept') this.stats.accepted += 1;
    if (event.kind === 'mail.reject') this.stats.rejected += 1;
    const type = hubType(event);
    if (type !== null) this.emit({ type, data: event });
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function hubType(event: MailEvent): HubEvent['type'] | null {
  switch (event.kind) {
    case 'mail.accept':
      return 'received';
    case 'mail.deliver':
      return 'delivered';
    case 'mail.attempt':
      return event.result === 'accepted' ? null : 'deferred';
    case 'mail.bounce':
      return 'bounced';
    case 'mail.reject':
      return 'rejected';
    default:
      return null;
  }
}
