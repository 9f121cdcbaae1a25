/**
 * What counts as a violation for `mailsim explore` (docs/reference.md §13 `--check`):
 *   expect         — an item of the scenario's own `expect` did not hold (§8);
 *   invariants     — no-loss, dsn-sanity or no-open-relay failed (§8);
 *   no-duplicates  — a recipient got a message more than once. Delivery is at-least-once (RFC 1047,
 *                    docs/delivery.md E3), so this is not an invariant of mail, but it is what a user asks
 *                    when duplicates matter to them.
 */
import type { Report } from '../report/types.js';

import { type CheckName, checkNames, defaultChecks } from './names.js';

export { type CheckName, checkNames, defaultChecks };

export interface Violation {
  /** `crash`: the simulator threw — always a violation, whatever `--check` says. */
  check: CheckName | 'crash';
  /** The failing item: an expectation as written, an invariant's name, or `ADDRESS` for a duplicate. */
  subject: string;
  detail: string;
}

/** A recipient who got one message more than once: the address, the message and how many landings. */
export interface Duplicate {
  address: string;
  messageId: string;
  /** The report's id ("m1"). */
  id: string;
  landings: number;
}

export function duplicatesIn(report: Report): Duplicate[] {
  const out: Duplicate[] = [];
  for (const message of report.messages) {
    for (const recipient of message.recipients) {
      if (recipient.deliveries.length > 1) out.push({ address: recipient.address, messageId: message.messageId, id: message.id, landings: recipient.deliveries.length });
    }
  }
  return out;
}

/** Every violation of the chosen checks in one run's report, in a stable order. */
export function violationsOf(report: Report, checks: readonly CheckName[]): Violation[] {
  const out: Violation[] = [];
  if (checks.includes('expect')) {
    for (const item of report.expectations) if (!item.passed) out.push({ check: 'expect', subject: JSON.stringify(item.expect), detail: item.detail });
  }
  if (checks.includes('invariants')) {
    for (const item of report.invariants) if (!item.passed) out.push({ check: 'invariants', subject: item.name, detail: item.detail });
  }
  if (checks.includes('no-duplicates')) {
    for (const dup of duplicatesIn(report)) {
      out.push({ check: 'no-duplicates', subject: dup.address, detail: `${dup.id} ${dup.messageId} landed ${dup.landings} times for ${dup.address}` });
    }
  }
  return out;
}

/** "no-duplicates: bob@example.org: m1 <…> landed 2 times" — one line per violation. */
export function describeViolation(violation: Violation): string {
  return `${violation.check}: ${violation.subject}: ${violation.detail}`;
}
