/**
 * The HTML report's journeys (docs/reference.md §9): each message's path on one shared time axis, one lane
 * per recipient, one row per host the message visited (its hops), attempts as marks coloured by
 * result, the submission, deliveries, bounces and final drops as their own marks, and every fault
 * as a shaded band across the axis.
 *
 * Theory of operation. The axis runs from 0 to the end of the run. Each positioned element carries
 * its x on two scales — linear (`data-xlin`) and logarithmic in seconds (`data-xlog`), which spreads
 * out the first minutes of a week-long run — and is drawn on the linear one; the page's script
 * swaps the attributes when the reader picks the other scale, so the page works without script too.
 * Points are `<g class="pt">` moved by a translate; spans (faults, the time a host held the message)
 * are `<rect class="span">` with an x and a width per scale. Tick marks exist for both scales; CSS
 * shows one set. The marks, the facts on a lane's line and what is shown under the lane are the mail
 * events' (src/mail/events/, each asked in the registry's order through a `JourneyLane`); this file
 * draws the axis, the host rows, the fault bands and the spans a host held the message. An attempt
 * links to its session's transcript when the trace was kept.
 */
import { endMark, type JourneyLane, mailEvents, recipientFacts } from '../mail/events/index.js';
import { formatDurationMs } from '../schema/units.js';
import { deliveryLatencyMs } from './markdown.js';
import { esc, num, truncate } from './html-text.js';
import type { Report, ReportAttempt, ReportFault, ReportMessage, ReportRecipient } from './types.js';

export interface JourneyLimits {
  /** Messages drawn; the rest are counted. */
  journeysMax: number;
  /** Recipient lanes drawn per message. */
  lanesPerJourneyMax: number;
  /** Attempt marks drawn per lane (the attempts table lists the same number). */
  attemptMarksPerLaneMax: number;
}

/** Geometry of every timeline SVG, in viewBox units. */
const svgWidth = 1200;
const plotX0 = 250;
const plotWidth = svgWidth - plotX0 - 24;
const rowHeight = 24;
const lanePadTop = 10;
const axisHeight = 22;
const hostLabelCharsMax = 34;
/** The log scale counts seconds, so the first second is as wide as the rest of its decade. */
const logUnitMs = 1000;

export class TimeScale {
  readonly endMs: number;
  constructor(endMs: number) {
    this.endMs = Math.max(1, endMs);
  }
  lin(ms: number): number {
    return plotX0 + (plotWidth * clamp(ms, 0, this.endMs)) / this.endMs;
  }
  log(ms: number): number {
    return plotX0 + (plotWidth * Math.log1p(clamp(ms, 0, this.endMs) / logUnitMs)) / Math.log1p(this.endMs / logUnitMs);
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The end of the axis: the run's end, or a later time some fact carries. */
export function axisEndMs(report: Report): number {
  let end = report.endedAtMs;
  for (const m of report.messages) {
    end = Math.max(end, m.submittedAtMs);
    for (const r of m.recipients) {
      for (const a of r.attempts) end = Math.max(end, a.atMs);
      for (const d of r.deliveries) end = Math.max(end, d.atMs);
      if (r.finalAtMs !== null) end = Math.max(end, r.finalAtMs);
    }
  }
  return end;
}

export interface FaultSpan {
  fault: ReportFault;
  fromMs: number;
  toMs: number;
  /** An instant (a host booting) rather than a period. */
  instant: boolean;
}

/**
 * Where each fault's band ends: its `until`; for `down` without one, the next `up` of the same host
 * (the two descriptions come from describe.ts: "H is down", "H boots"); otherwise the axis end. A fault
 * whose `chance` said it does not happen in this run has no band.
 */
export function faultSpans(all: readonly ReportFault[], endMs: number): FaultSpan[] {
  const faults = all.filter((fault) => fault.skipped !== true);
  return faults.map((fault, i) => {
    if (fault.action === 'up') return { fault, fromMs: fault.atMs, toMs: fault.atMs, instant: true };
    let toMs = fault.untilMs ?? endMs;
    const downHost = fault.action === 'down' ? /^(\S+) is down\b/.exec(fault.description)?.[1] : undefined;
    if (fault.untilMs === null && downHost !== undefined) {
      const up = faults.slice(i + 1).find((f) => f.action === 'up' && f.description === `${downHost} boots` && f.atMs >= fault.atMs);
      if (up !== undefined) toMs = up.atMs;
    }
    return { fault, fromMs: fault.atMs, toMs: Math.max(fault.atMs, toMs), instant: false };
  });
}

function pointAttrs(scale: TimeScale, ms: number): string {
  return `class="pt" data-t="${ms}" data-xlin="${num(scale.lin(ms))}" data-xlog="${num(scale.log(ms))}" transform="translate(${num(scale.lin(ms))} 0)"`;
}

/** A horizontal span; an instant gets a 2-unit sliver so it stays visible. */
function spanRect(scale: TimeScale, fromMs: number, toMs: number, y: number, height: number, cls: string, extra = ''): string {
  const x0lin = scale.lin(fromMs);
  const x1lin = Math.max(scale.lin(toMs), x0lin + 2);
  const x0log = scale.log(fromMs);
  const x1log = Math.max(scale.log(toMs), x0log + 2);
  return `<rect class="span ${cls}" data-x0lin="${num(x0lin)}" data-x1lin="${num(x1lin)}" data-x0log="${num(x0log)}" data-x1log="${num(x1log)}" x="${num(x0lin)}" y="${num(y)}" width="${num(x1lin - x0lin)}" height="${num(height)}"${extra}`;
}

/** Tick spacing for the linear axis: the smallest of these giving at most `ticksMax` ticks. */
const linearStepsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5];
const ticksMax = 10;
const logTicksMs = [0, 1e3, 1e4, 6e4, 6e5, 36e5, 216e5, 864e5, 6048e5, 2592e6];

function axis(scale: TimeScale, y: number): string {
  const step = linearStepsMs.find((s) => scale.endMs / s <= ticksMax) ?? Math.ceil(scale.endMs / ticksMax);
  const lin: string[] = [];
  for (let ms = 0, n = 0; ms <= scale.endMs && n <= ticksMax; ms += step, n++) lin.push(tick(scale.lin(ms), y, ms));
  const log = logTicksMs.filter((ms) => ms <= scale.endMs).map((ms) => tick(scale.log(ms), y, ms));
  return `<g class="ticks ticks-lin">${lin.join('')}</g><g class="ticks ticks-log">${log.join('')}</g>`;
}

function tick(x: number, y: number, ms: number): string {
  return `<line class="tick" x1="${num(x)}" x2="${num(x)}" y1="${num(y - 3)}" y2="${num(y + 3)}"/><text class="tick-label" x="${num(x)}" y="${num(y + 15)}">${esc(formatDurationMs(ms))}</text>`;
}

/** The strip above the journeys: one row per fault, labelled, on the shared axis. */
export function renderFaultStrip(report: Report, scale: TimeScale): string {
  const spans = faultSpans(report.faults, scale.endMs);
  if (spans.length === 0) return '<p class="muted">No faults were injected.</p>';
  const height = lanePadTop + spans.length * rowHeight + axisHeight;
  const rows = spans.map((span, i) => {
    const y = lanePadTop + i * rowHeight;
    const label = truncate(`#${span.fault.index} ${span.fault.description}`, hostLabelCharsMax);
    const until = span.instant ? '' : ` until ${span.fault.untilMs === null ? (span.toMs >= scale.endMs ? 'the end' : formatDurationMs(span.toMs)) : formatDurationMs(span.fault.untilMs)}`;
    const title = `#${span.fault.index} ${span.fault.description}: from ${formatDurationMs(span.fromMs)}${until}`;
    return `<text class="row-label" x="${plotX0 - 10}" y="${num(y + rowHeight / 2 + 4)}">${esc(label)}<title>${esc(title)}</title></text>${spanRect(scale, span.fromMs, span.toMs, y + 4, rowHeight - 8, `band fault-${esc(span.fault.action)}${span.instant ? ' instant' : ''}`, ` data-testid="fault-band"><title>${esc(title)}</title></rect>`)}`;
  });
  return `<svg class="timeline faults" viewBox="0 0 ${svgWidth} ${height}" role="img" aria-label="faults on the time axis">${rows.join('')}${axis(scale, height - axisHeight + 4)}</svg>`;
}

export type SessionLookup = (attempt: ReportAttempt) => string | null;

export function renderJourneys(report: Report, scale: TimeScale, limits: JourneyLimits, sessionOf: SessionLookup): string {
  const spans = faultSpans(report.faults, scale.endMs);
  const shown = report.messages.slice(0, limits.journeysMax);
  const out = shown.map((message) => renderJourney(report, message, scale, spans, limits, sessionOf));
  if (report.messages.length > shown.length) {
    out.push(`<p class="cut" data-testid="cut-journeys">${report.messages.length - shown.length} more message(s) not drawn (journeysMax = ${limits.journeysMax}); the JSON report lists them all.</p>`);
  }
  if (out.length === 0) out.push('<p class="muted">No messages were sent.</p>');
  return out.join('\n');
}

function renderJourney(report: Report, message: ReportMessage, scale: TimeScale, spans: FaultSpan[], limits: JourneyLimits, sessionOf: SessionLookup): string {
  const about = message.about === null ? '' : ` · DSN about <a href="#journey-${esc(message.about)}">${esc(message.about)}</a>`;
  const subject = message.subject === null ? '(no subject)' : `“${message.subject}”`;
  const lanes = message.recipients.slice(0, limits.lanesPerJourneyMax).map((r) => renderLane(report, message, r, scale, spans, limits, sessionOf));
  if (message.recipients.length > lanes.length) {
    lanes.push(`<p class="cut">${message.recipients.length - lanes.length} more recipient(s) not drawn (lanesPerJourneyMax = ${limits.lanesPerJourneyMax}).</p>`);
  }
  return `<section class="journey${message.dsn ? ' dsn' : ''}" id="journey-${esc(message.id)}" data-testid="journey-${esc(message.id)}" data-message="${esc(message.id)}">
<h3><span class="msg-id">${esc(message.id)}</span>${message.dsn ? ' <span class="tag">DSN</span>' : ''} ${esc(subject)}</h3>
<p class="muted">from ${esc(message.from === '' ? '<>' : message.from)} · ${esc(message.messageId)} · submitted at ${esc(formatDurationMs(message.submittedAtMs))}${about}</p>
${lanes.join('\n')}
</section>`;
}

/** Hosts the recipient's copy visited, in order: accepted hops first, then any other sender or lander. */
function laneHosts(recipient: ReportRecipient): string[] {
  const hosts: string[] = [];
  const add = (h: string) => {
    if (h !== '' && !hosts.includes(h)) hosts.push(h);
  };
  recipient.hops.forEach(add);
  for (const a of recipient.attempts) add(a.from);
  for (const d of recipient.deliveries) add(d.host);
  if (recipient.bounce !== null) add(recipient.bounce.reportingMta);
  return hosts;
}

function renderLane(report: Report, message: ReportMessage, recipient: ReportRecipient, scale: TimeScale, spans: FaultSpan[], limits: JourneyLimits, sessionOf: SessionLookup): string {
  const hosts = laneHosts(recipient);
  if (hosts.length === 0) hosts.push('(submission)');
  const lane = journeyLane(hosts, scale, limits, sessionOf);
  const plotBottom = lanePadTop + hosts.length * rowHeight;
  const height = plotBottom + axisHeight;
  const parts: string[] = [];

  for (const span of spans) {
    const title = `#${span.fault.index} ${span.fault.description}`;
    parts.push(spanRect(scale, span.fromMs, span.toMs, 2, plotBottom - 2, `band fault-${esc(span.fault.action)}${span.instant ? ' instant' : ''}`, `><title>${esc(title)}</title></rect>`));
  }
  hosts.forEach((host, i) => {
    const y = lanePadTop + i * rowHeight + rowHeight / 2;
    parts.push(`<line class="row-guide" x1="${plotX0}" x2="${plotX0 + plotWidth}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="row-label" x="${plotX0 - 10}" y="${num(y + 4)}">${esc(truncate(host, hostLabelCharsMax))}<title>${esc(host)}</title></text>`);
    const held = heldSpan(message, recipient, host, i, report.endedAtMs);
    if (held !== null) parts.push(spanRect(scale, held[0], held[1], y - 1.5, 3, 'held', `><title>${esc(`${host} holds the message ${formatDurationMs(held[0])} – ${formatDurationMs(held[1])}`)}</title></rect>`));
  });
  // Each mail event draws what it folded into (src/mail/events/); a lost recipient is no event's.
  for (const event of mailEvents) parts.push(event.render.journeyMarks?.(message, recipient, lane) ?? '');
  if (recipient.status === 'lost') parts.push(endMark(recipient, lane));
  parts.push(axis(scale, plotBottom + 4));

  const latency = deliveryLatencyMs(message, recipient);
  const facts = [
    latency === null ? null : `latency ${formatDurationMs(latency)}`,
    ...recipientFacts.map((fact) => {
      const text = fact.of(recipient, (raw) => raw); // the line is escaped as a whole below
      return text === null ? null : `${fact.label} ${text}`;
    }),
    recipient.reason,
  ];
  const details = mailEvents.map((event) => event.render.journeyDetails?.(recipient, lane) ?? '').join('');
  return `<div class="lane" data-testid="lane" data-recipient="${esc(recipient.address)}" data-status="${esc(recipient.status)}">
<div class="lane-head"><span class="status status-${esc(recipient.status)}">${esc(recipient.status)}</span> <strong>${esc(recipient.address)}</strong> <span class="muted">${esc(facts.filter((f): f is string => f !== null).join(' · '))}</span></div>
<svg class="timeline" viewBox="0 0 ${svgWidth} ${height}" role="img" aria-label="${esc(`journey of ${message.id} to ${recipient.address}`)}">${parts.join('')}</svg>
${details}
</div>`;
}

/** What the mail events' marks are drawn with: the lane's rows, the time scale, the limits, the sessions. */
function journeyLane(hosts: readonly string[], scale: TimeScale, limits: JourneyLimits, sessionOf: SessionLookup): JourneyLane {
  const rowY = (host: string) => lanePadTop + Math.max(0, hosts.indexOf(host)) * rowHeight + rowHeight / 2;
  return {
    rowY,
    hasRow: (host) => hosts.includes(host),
    firstY: rowY(hosts[0] ?? ''),
    lastY: rowY(hosts[hosts.length - 1] ?? ''),
    at: (ms) => pointAttrs(scale, ms),
    esc,
    sessionOf,
    attemptMarksMax: limits.attemptMarksPerLaneMax,
  };
}

/**
 * The span a host held this copy: from when it got it (the submission for the first hop, else the
 * attempt that handed it over) to when it passed it on, landed it or bounced it — or the end.
 */
function heldSpan(message: ReportMessage, recipient: ReportRecipient, host: string, row: number, endedAtMs: number): [number, number] | null {
  const handedOver = recipient.attempts.find((a) => a.to === host && a.result === 'accepted');
  const from = row === 0 ? message.submittedAtMs : (handedOver?.atMs ?? recipient.attempts.find((a) => a.from === host)?.atMs ?? null);
  if (from === null) return null;
  const passedOn = recipient.attempts.find((a) => a.from === host && a.result === 'accepted' && a.atMs >= from);
  const landed = recipient.deliveries.find((d) => d.host === host);
  const bounced = recipient.bounce !== null && recipient.bounce.reportingMta === host ? recipient.bounce.atMs : null;
  const to = passedOn?.atMs ?? landed?.atMs ?? bounced ?? recipient.finalAtMs ?? endedAtMs;
  return [from, Math.max(from, to)];
}
