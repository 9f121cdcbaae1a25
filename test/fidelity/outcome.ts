/**
 * What one side (Postfix or mailsim) did in one experiment, in a shape both sides fill the same way,
 * so compare.ts can put them side by side. Times are seconds after the message's submission.
 */
import type { ParsedDsn } from '../../src/nodes/mta/dsn.js';

export interface AttemptRow {
  /** The MX host connected to; null for a deferral without a connection (Postfix's dead destination). */
  host: string | null;
  /** refused, greeting (4xx/5xx greeting), lost, sent/accepted, deferred, bounced/failed, suspended */
  result: string;
  atS: number;
  /** False when the time is only known to the second (Postfix's log, not a DNS or fake-MX timestamp). */
  precise: boolean;
}

export interface DsnFields {
  action: string | null;
  status: string | null;
  /** With its type, e.g. `smtp; 550 5.1.1 …` or `X-Postfix; connect to …`. */
  diagnosticCode: string | null;
  /** With its type (`dns; mx1.example.test`), or null when the field is absent. */
  remoteMta: string | null;
  reportingMta: string | null;
}

export interface MessageOutcome {
  message: number;
  rows: AttemptRow[];
  fate: 'delivered' | 'bounced' | 'pending';
  /** When it was delivered (accepted by an MX) or when the bounce reached the sender's MX. */
  fateAtS: number | null;
  /** The MX that accepted it. */
  via: string | null;
  dsn: DsnFields | null;
}

export interface SideOutcome {
  messages: MessageOutcome[];
}

/** The fields of the first recipient block of a parsed DSN, with their types kept. */
export function dsnFields(parsed: ParsedDsn | null): DsnFields | null {
  const recipient = parsed?.recipients[0];
  if (parsed == null || recipient === undefined) return null;
  const field = (name: string) => recipient.fields[name]?.replace(/\s+/g, ' ').trim() ?? null;
  return {
    action: recipient.action,
    status: recipient.status,
    diagnosticCode: field('diagnostic-code'),
    remoteMta: field('remote-mta'),
    reportingMta: parsed.reportingMta,
  };
}
