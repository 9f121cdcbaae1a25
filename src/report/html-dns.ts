/**
 * The DNS answers the run used (docs/reference.md §9, HTML report): every `dns.answer` event a resolver
 * recorded, grouped by (resolver host, name, type, rcode, answer) so a cached answer used fifty
 * times is one row with its first and last use and counts — the question a reader asks is "what
 * did this host believe example.org's MX was, and when".
 *
 * At most `dnsRowsMax` distinct answers are kept, in order of first use; the rest are counted.
 */
import type { TraceEvent } from '../sim/trace.js';
import { formatDurationMs } from '../schema/units.js';
import { esc } from './html-text.js';

export interface DnsAnswerRow {
  host: string;
  name: string;
  type: string;
  rcode: string;
  answers: string;
  firstAtMs: number;
  lastAtMs: number;
  uses: number;
  fromCache: number;
}

export interface DnsAnswers {
  rows: DnsAnswerRow[];
  rowsOmitted: number;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));

export function extractDnsAnswers(events: readonly TraceEvent[], dnsRowsMax: number): DnsAnswers {
  const byKey = new Map<string, DnsAnswerRow | null>();
  const rows: DnsAnswerRow[] = [];
  let rowsOmitted = 0;
  for (const event of events) {
    if (event.kind !== 'dns.answer') continue;
    const row = { host: str(event.host), name: str(event.name), type: str(event.type), rcode: str(event.rcode), answers: str(event.answers) };
    const key = [row.host, row.name, row.type, row.rcode, row.answers].join('\n');
    const existing = byKey.get(key);
    if (existing === null) continue;
    if (existing !== undefined) {
      existing.lastAtMs = event.t;
      existing.uses++;
      if (event.fromCache === true) existing.fromCache++;
      continue;
    }
    if (rows.length >= dnsRowsMax) {
      byKey.set(key, null);
      rowsOmitted++;
      continue;
    }
    const created: DnsAnswerRow = { ...row, firstAtMs: event.t, lastAtMs: event.t, uses: 1, fromCache: event.fromCache === true ? 1 : 0 };
    byKey.set(key, created);
    rows.push(created);
  }
  return { rows, rowsOmitted };
}

export function renderDnsTable(dns: DnsAnswers, dnsRowsMax: number): string {
  if (dns.rows.length === 0) return '<p class="muted">No DNS lookups were made.</p>';
  const rows = dns.rows.map((r) => {
    const answers = r.answers === '' ? '<span class="muted">(no records)</span>' : esc(r.answers);
    const when = r.uses === 1 ? formatDurationMs(r.firstAtMs) : `${formatDurationMs(r.firstAtMs)} … ${formatDurationMs(r.lastAtMs)}`;
    return `<tr data-testid="dns-answer"><td>${esc(when)}</td><td>${esc(r.host)}</td><td class="mono">${esc(r.name)}</td><td>${esc(r.type)}</td><td><span class="rcode rcode-${r.rcode === 'NOERROR' ? 'ok' : 'bad'}">${esc(r.rcode)}</span></td><td class="mono">${answers}</td><td>${r.uses}${r.fromCache > 0 ? ` (${r.fromCache} from cache)` : ''}</td></tr>`;
  });
  const cut = dns.rowsOmitted > 0 ? `<p class="cut" data-testid="cut-dns">${dns.rowsOmitted} more distinct answer(s) not listed (dnsRowsMax = ${dnsRowsMax}).</p>` : '';
  return `<table class="dns"><thead><tr><th>When</th><th>Resolver</th><th>Name</th><th>Type</th><th>Rcode</th><th>Answer</th><th>Uses</th></tr></thead><tbody>${rows.join('')}</tbody></table>${cut}`;
}
