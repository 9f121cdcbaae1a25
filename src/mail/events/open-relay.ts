/**
 * `mail.open-relay`: an MX accepted, on port 25, a recipient outside its domains and relay-for — an open
 * relay (RFC 5321 §3.6.2; docs/reference.md §8 no-open-relay). It folds into the relay violations, which
 * the no-open-relay invariant lists in the words of `describeRelayViolation`.
 */
import type { RelayViolation } from '../records.js';
import { defineMailEvent } from './event.js';

export interface OpenRelay {
  readonly kind: 'mail.open-relay';
  readonly host: string;
  readonly recipient: string;
}

export const openRelay = defineMailEvent<OpenRelay>({
  kind: 'mail.open-relay',
  trace: (e) => ({ host: e.host, recipient: e.recipient }),
  fold(records, e, atMs) {
    records.relayViolations.push({ atMs, host: e.host, recipient: e.recipient });
  },
  render: {},
});

/** The violation as the no-open-relay invariant's detail names it. */
export function describeRelayViolation(violation: RelayViolation): string {
  return `${violation.host} accepted ${violation.recipient} on port 25`;
}
