/**
 * Small scenario objects for the built-in checks' tests: alice@sender.net's MTA sends to example.org,
 * whose MX are mx1 (preference 10, bob's mailbox) and mx2 (preference 20, a backup with relay-for).
 * Each test adds the faults, traffic or queue settings that make its property matter.
 */
import type { ScenarioObject } from 'mailsim/testing';

export function twoMxWorld(overrides: ScenarioObject = {}): ScenarioObject {
  return {
    name: 'two MX',
    seed: 1,
    until: '1d',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx1.example.org', '20 mx2.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'hunter2' } },
      'mx2.example.org': { roles: ['mta'], 'relay-for': ['example.org'] },
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'Hello', body: 'Hi Bob' } }],
    ...overrides,
  };
}

/** Both MX down for the whole run: retried on the queue's schedule, bounced after the lifetime. */
export function allMxDownWorld(overrides: ScenarioObject = {}): ScenarioObject {
  return twoMxWorld({
    until: '7d',
    faults: [
      { at: '0s', down: 'mx1.example.org' },
      { at: '0s', down: 'mx2.example.org' },
    ],
    ...overrides,
  });
}

/** Mail to a user example.org does not have: 550 5.1.1 at RCPT, a DSN back to alice (R5, D1). */
export function unknownUserWorld(overrides: ScenarioObject = {}): ScenarioObject {
  return twoMxWorld({ traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'nobody@example.org', subject: 'Hello', body: 'Hi' } }], ...overrides });
}

/** The violation lines of a check, for assertions. */
export const lines = (violations: ReadonlyArray<{ message: string }>) => violations.map((v) => v.message);
