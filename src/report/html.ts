/**
 * The HTML report (`reports/NAME.html`, docs/reference.md §9): one self-contained page — inline style and
 * script, no network, no fonts or images to fetch — that opens from the file system and shows the
 * verdict with every expectation and invariant, each message's journey on a time axis with the
 * faults as bands, a sequence diagram and transcript per SMTP/POP3/IMAP session, and the DNS
 * answers the run used.
 *
 * Theory of operation. A pure function of the report and (when the trace was kept) the trace
 * events: the same run gives the same bytes. Transcripts and DNS answers exist only in the trace;
 * without it the page says they were not recorded. Every value is escaped (html-text.ts); on top of
 * that a Content-Security-Policy allows no network and only the page's own script, by its SHA-256,
 * so even a missed escape could not run a peer's `<script>` (html-page.ts, the page's shell). The
 * named limits below keep the page small enough for a browser on a big run, and the page says what
 * each limit cut.
 */
import { mailEvents } from '../mail/events/index.js';
import type { TraceEvent } from '../sim/trace.js';
import { reportCss, reportScript } from './html-assets.js';
import { extractDnsAnswers, renderDnsTable } from './html-dns.js';
import { axisEndMs, type JourneyLimits, renderFaultStrip, renderJourneys, type SessionLookup, TimeScale } from './html-journey.js';
import { htmlPage } from './html-page.js';
import { renderSession, type SessionRenderLimits } from './html-session.js';
import { esc } from './html-text.js';
import { formatDurationMs } from '../schema/units.js';
import { formatExpect } from './markdown.js';
import { defaultSessionLimits, extractSessions, type SessionLimits } from './sessions.js';
import type { Report, ReportCheck } from './types.js';

export interface HtmlLimits extends JourneyLimits, SessionLimits, SessionRenderLimits {
  /** Distinct DNS answers listed. */
  dnsRowsMax: number;
}

export const defaultHtmlLimits: HtmlLimits = {
  journeysMax: 200,
  lanesPerJourneyMax: 50,
  attemptMarksPerLaneMax: 300,
  ...defaultSessionLimits,
  arrowsPerSegmentMax: 12,
  arrowsPerSessionMax: 250,
  arrowLabelCharsMax: 100,
  sessionsOpenMax: 1,
  dnsRowsMax: 300,
};

export interface HtmlOptions {
  limits?: Partial<HtmlLimits>;
}

export function renderHtml(report: Report, traceEvents: readonly TraceEvent[] | null, options: HtmlOptions = {}): string {
  const limits: HtmlLimits = { ...defaultHtmlLimits, ...options.limits };
  const scale = new TimeScale(axisEndMs(report));
  const extraction = traceEvents === null ? null : extractSessions(traceEvents, limits);

  // An attempt links to the session of its connection (its `conn`), when the page shows that session.
  const shownSessions = new Set((extraction?.sessions ?? []).map((s) => s.conn));
  const sessionOf: SessionLookup = (a) => (shownSessions.has(a.conn) ? a.conn : null);

  const verdict = report.passed ? '<span class="verdict pass" data-testid="verdict">✓ PASSED</span>' : '<span class="verdict fail" data-testid="verdict">✗ FAILED</span>';
  const body = [
    `<header>
<h1>${verdict} ${esc(report.scenario.name)}</h1>
${report.scenario.description !== null && report.scenario.description.trim() !== '' ? `<p>${esc(report.scenario.description.trim())}</p>` : ''}
<div class="facts"><span>file <b>${esc(report.scenario.file)}</b></span><span>seed <b>${report.scenario.seed}</b></span><span>simulated <b>${esc(formatDurationMs(report.endedAtMs))}</b></span><span>events <b>${report.stats.events}</b></span><span>wall <b>${report.stats.wallMs} ms</b></span><span>messages <b>${report.messages.length}</b></span></div>
</header>`,
    '<h2>Expectations</h2>',
    report.expectations.length === 0
      ? '<p class="muted">No expectations in the scenario.</p>'
      : `<ul class="checks">${report.expectations.map((e) => checkItem('expectation', formatExpect(e.expect), e)).join('')}</ul>`,
    '<h2>Invariants</h2>',
    `<ul class="checks">${report.invariants.map((i) => checkItem('invariant', i.name, i)).join('')}</ul>`,
    report.warnings.length === 0 ? '' : `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li data-testid="warning">${esc(w)}</li>`).join('')}</ul>`,
    '<div id="toolbar"></div>',
    '<h2>Journeys</h2>',
    legend(),
    renderFaultStrip(report, scale),
    renderJourneys(report, scale, limits, sessionOf),
    '<h2>Fetches</h2>',
    fetchTable(report),
    '<h2>Sessions</h2>',
    sessionsSection(extraction, limits),
    '<h2>DNS answers used</h2>',
    traceEvents === null ? notRecorded('DNS answers') : renderDnsTable(extractDnsAnswers(traceEvents, limits.dnsRowsMax), limits.dnsRowsMax),
    `<footer>${esc(report.format)} · trace digest <span class="mono" data-testid="trace-digest">${esc(report.traceDigest)}</span></footer>`,
  ];
  return htmlPage({
    title: `${report.passed ? '✓' : '✗'} ${report.scenario.name} — mailsim report`,
    styles: [reportCss],
    bodyAttributes: ` data-passed="${report.passed}"`,
    main: body.filter((part) => part !== '').join('\n'),
    scripts: [reportScript],
  });
}

function checkItem(testid: string, label: string, check: ReportCheck): string {
  const mark = check.passed ? '<span class="mark-ok">✓</span>' : '<span class="mark-bad">✗</span>';
  const detail = check.detail === '' ? '' : `<div class="check-detail">${esc(check.detail)}</div>`;
  return `<li class="${check.passed ? 'pass' : 'fail'}" data-testid="${testid}" data-passed="${check.passed}">${mark} <code>${esc(label)}</code>${detail}</li>`;
}

function notRecorded(what: string): string {
  return `<p class="cut" data-testid="not-recorded">${esc(what)} were not recorded: the trace was not kept for this run (run with the trace kept, e.g. <code>mailsim run --trace FILE</code>, to see them).</p>`;
}

/** The mail events' legend entries (src/mail/events/), in the registry's order, then the fault band. */
function legend(): string {
  const entries = mailEvents.flatMap((event) => (event.render.legend === undefined ? [] : [event.render.legend]));
  return `<div class="legend" data-testid="legend">${entries.join('\n')}
<span><svg width="22" height="12"><rect class="band legend-band" width="22" height="12"/></svg> fault</span>
<span>Click an attempt to open its session.</span></div>`;
}

function fetchTable(report: Report): string {
  if (report.fetches.length === 0) return '<p class="muted">No fetches in the scenario.</p>';
  const rows = report.fetches.map((f) => {
    const subjects = f.messages.map((m) => esc(m.subject ?? '(no subject)')).join('<br>');
    const result = f.ok ? '<span class="status status-delivered">ok</span>' : `<span class="status status-bounced">failed</span> ${esc(f.error ?? '')}`;
    return `<tr data-testid="fetch"><td>${esc(formatDurationMs(f.atMs))}</td><td>${esc(f.user)}</td><td>${esc(f.protocol.toUpperCase())}</td><td>${result}</td><td>${f.messages.length}</td><td>${subjects}</td></tr>`;
  });
  return `<table><thead><tr><th>At</th><th>User</th><th>Protocol</th><th>Result</th><th>Messages</th><th>Subjects</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function sessionsSection(extraction: ReturnType<typeof extractSessions> | null, limits: HtmlLimits): string {
  if (extraction === null) return notRecorded('Protocol transcripts');
  const { sessions, sessionsOmitted } = extraction;
  if (sessions.length === 0) return '<p class="muted">No connections were made.</p>';
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.protocol, (counts.get(s.protocol) ?? 0) + 1);
  const summary = `<p class="muted" data-testid="session-count">${sessions.length} connection(s): ${[...counts].map(([p, n]) => `${n} ${esc(p.toUpperCase())}`).join(', ')}. Each opens to a sequence diagram and its transcript.</p>`;
  const cut = sessionsOmitted > 0 ? `<p class="cut" data-testid="cut-sessions">${sessionsOmitted} more connection(s) not shown (sessionsMax = ${limits.sessionsMax}).</p>` : '';
  return `${summary}${sessions.map((s, i) => renderSession(s, limits, i < limits.sessionsOpenMax)).join('\n')}${cut}`;
}
