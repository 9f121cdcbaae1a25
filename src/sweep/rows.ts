/**
 * The tidy rows of a sweep (docs/research.md §4): one `RunRow` per run and one `RecipientRow` per
 * recipient of each user message per run (DSNs are products of a run, not its subjects, and are left
 * out). Key order is fixed here, so the JSON lines of a run are the same bytes wherever it ran. A run's
 * lines are made where it ran (`linesOf`, in the worker), so the main thread only appends text.
 */
import type { Report, ReportRecipient } from '../report/types.js';

export type RunOutcome = 'passed' | 'failed' | 'crash';
export type RecipientOutcome = ReportRecipient['status'];

export interface RunRow {
  run: number;
  point: number;
  params: Record<string, unknown>;
  seed: number;
  outcome: RunOutcome;
  passed: boolean;
  traceDigest: string | null;
  endedAtMs: number | null;
  events: number;
  recipients: number;
  delivered: number;
  bounced: number;
  deferred: number;
  rejected: number;
  discarded: number;
  lost: number;
  duplicated: number;
  attempts: number;
  /** For a crash: the error's first line. */
  error: string | null;
}

export interface RecipientRow {
  run: number;
  point: number;
  params: Record<string, unknown>;
  seed: number;
  message: string;
  recipient: string;
  outcome: RecipientOutcome;
  submittedAtMs: number;
  /** Delivered: the first delivery's time less the submission's. */
  delayMs: number | null;
  /** SMTP connections made for this recipient, on every hop. */
  attempts: number;
  /** The host the sender's MTA handed the message to (the second hop), if any did accept it. */
  acceptedBy: string | null;
  /** When the sender's MTA handed it over (the start of the attempt `acceptedBy` accepted) less the submission's time. */
  handoverDelayMs: number | null;
  deliveries: number;
  /** Deliveries beyond the first. */
  duplicates: number;
  bounceAtMs: number | null;
  statusCode: string | null;
}

export interface RunIdentity {
  run: number;
  point: number;
  params: Record<string, unknown>;
  seed: number;
}

export interface RunResult {
  run: RunRow;
  recipients: RecipientRow[];
}

/** A run's JSON lines as they go into runs.jsonl and recipients.jsonl (each line ends in "\n"). */
export interface RunLines {
  run: number;
  outcome: RunOutcome;
  runLine: string;
  recipientLines: string;
}

export function linesOf(result: RunResult): RunLines {
  let recipientLines = '';
  for (const row of result.recipients) recipientLines += `${JSON.stringify(row)}\n`;
  return { run: result.run.run, outcome: result.run.outcome, runLine: `${JSON.stringify(result.run)}\n`, recipientLines };
}

/** The rows of a run that finished (passed or not). */
export function rowsOfReport(id: RunIdentity, report: Report): RunResult {
  const recipients: RecipientRow[] = [];
  for (const message of report.messages) {
    if (message.dsn) continue;
    for (const r of message.recipients) {
      const handover = r.attempts.find((a) => a.result === 'accepted' && a.from === r.hops[0] && a.to === r.hops[1]);
      const first = r.deliveries.reduce<number | null>((min, d) => (min === null || d.atMs < min ? d.atMs : min), null);
      recipients.push({
        ...id,
        message: message.id,
        recipient: r.address,
        outcome: r.status,
        submittedAtMs: message.submittedAtMs,
        delayMs: r.status === 'delivered' && first !== null ? first - message.submittedAtMs : null,
        // Connections only: a `suspended` attempt (a dead destination, docs/delivery.md R14) made none.
        attempts: r.attempts.reduce((n, a) => (a.result === 'suspended' ? n : n + 1), 0),
        acceptedBy: r.hops[1] ?? null,
        handoverDelayMs: handover === undefined ? null : handover.atMs - message.submittedAtMs,
        deliveries: r.deliveries.length,
        duplicates: Math.max(0, r.deliveries.length - 1),
        bounceAtMs: r.bounce?.atMs ?? null,
        statusCode: r.statusCode,
      });
    }
  }
  const count = (outcome: RecipientOutcome) => recipients.filter((r) => r.outcome === outcome).length;
  const run: RunRow = {
    ...id,
    outcome: report.passed ? 'passed' : 'failed',
    passed: report.passed,
    traceDigest: report.traceDigest,
    endedAtMs: report.endedAtMs,
    events: report.stats.events,
    recipients: recipients.length,
    delivered: count('delivered'),
    bounced: count('bounced'),
    deferred: count('deferred'),
    rejected: count('rejected'),
    discarded: count('discarded'),
    lost: count('lost'),
    duplicated: recipients.filter((r) => r.duplicates > 0).length,
    attempts: recipients.reduce((sum, r) => sum + r.attempts, 0),
    error: null,
  };
  return { run, recipients };
}

/** The row of a run that threw: recorded as its outcome, and the sweep goes on (docs/research.md §8). */
export function rowsOfCrash(id: RunIdentity, error: unknown): RunResult {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const run: RunRow = {
    ...id,
    outcome: 'crash',
    passed: false,
    traceDigest: null,
    endedAtMs: null,
    events: 0,
    recipients: 0,
    delivered: 0,
    bounced: 0,
    deferred: 0,
    rejected: 0,
    discarded: 0,
    lost: 0,
    duplicated: 0,
    attempts: 0,
    error: message.split('\n')[0] ?? message,
  };
  return { run, recipients: [] };
}
