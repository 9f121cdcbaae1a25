/**
 * What the HTTP routes share: the serve host, its captured mail, the faults and chaos triggers served
 * over HTTP, and the event hub. Made once per `startHttpApi` (api.ts).
 */
import type { ServeHost } from '../bridge/serve-host.js';
import { CapturedMail } from './captured.js';
import { ChaosTriggers } from './chaos.js';
import { EventHub, type IntakeStats } from './event-hub.js';
import { ServedFaults } from './served-faults.js';

export interface ApiServices {
  host: ServeHost;
  captured: CapturedMail;
  faults: ServedFaults;
  chaos: ChaosTriggers;
  events: EventHub;
  stats: IntakeStats;
  /** `--maildir`, or null for memory. */
  maildir: string | null;
  uptimeMs(): number;
}

export function makeServices(host: ServeHost, maildir: string | null): ApiServices {
  const captured = new CapturedMail(host);
  const faults = new ServedFaults(host);
  const events = new EventHub(host, captured, faults);
  // Uptime on the served host's real clock (src/bridge/clock.ts), the one clock serve reads.
  const startedAtMs = host.clock.nowMs();
  return { host, captured, faults, chaos: new ChaosTriggers(host), events, stats: events.stats, maildir, uptimeMs: () => host.clock.nowMs() - startedAtMs };
}
