/**
 * What a bounce says about the last attempt, in whole worlds (issue 22 points 2 and 3; docs/delivery.md
 * R3, R6, D5, D7), as Postfix's bounce says it (docs/fidelity.md):
 * - no server replied (refused, connect timeout, a line lost before a reply): `Diagnostic-Code:
 *   X-Postfix; connect to …` and no `Remote-MTA` (RFC 3464 §2.3.5–2.3.6), and the report's `remoteMta`
 *   is null for it too — even when an earlier attempt did get a reply;
 * - a reply decided it: `smtp; <the reply>`, `Remote-MTA: dns; <host>`, and the status is the reply's
 *   enhanced code, whichever reply of the session it was — a scripted greeting `421 4.3.2 …` included
 *   (RFC 3463, RFC 2034; Postfix's smtp_chat.c takes it from the reply text).
 */
import { describe, expect, it } from 'vitest';
import { type ParsedDsnRecipient, parseDsn } from '../../src/nodes/mta/dsn.js';
import type { Report } from '../../src/report/types.js';
import type { World } from '../../src/nodes/world.js';
import { mailbox, recipient, run, twoDomainWorld } from './world-harness.js';

/** The example.org world with the sender's queue giving up after an hour; `faults` as YAML list items. */
function bounceWorld(faults: string, options: { onlyMx1?: boolean } = {}): { report: Report; world: World } {
  const example = options.onlyMx1 === true ? '{ mx: ["10 mx1.example.org"] }' : undefined;
  const yaml = twoDomainWorld({ faults, until: '2h', ...(example === undefined ? {} : { example }) }).replace('    users: { alice: secret }', '    users: { alice: secret }\n    queue: { lifetime: 1h }');
  return run(yaml);
}

/** The text with each host's address (assigned by the world) written `[…]`. */
const masked = (text: string | null | undefined) => text?.replace(/\[[\d.]+\]/g, '[…]');

/** The one DSN in alice's mailbox, its one recipient block, the diagnostic masked. */
function bounceFor(world: World): ParsedDsnRecipient {
  const notices = mailbox(world, 'smtp.sender.net', 'alice');
  expect(notices).toHaveLength(1);
  const dsn = parseDsn(new TextEncoder().encode(notices[0]!));
  expect(dsn?.recipients).toHaveLength(1);
  const block = dsn!.recipients[0]!;
  return { ...block, diagnosticCode: masked(block.diagnosticCode) ?? null };
}

describe('issue 22 point 2: a failure no server replied to is this MTA’s diagnostic, with no remote MTA (RFC 3464 §2.3.5–2.3.6)', () => {
  it('every MX refuses until the lifetime ends: X-Postfix; connect to …: Connection refused, and no Remote-MTA — in the DSN, the bounce record and the verdict', () => {
    const { report, world } = bounceWorld('\n  - { at: 0s, refuse: mx1.example.org }\n  - { at: 0s, refuse: mx2.example.org }');
    const bob = recipient(report, 'bob@example.org');
    expect(bob).toMatchObject({ status: 'bounced', statusCode: '4.4.1', remoteMta: null });
    expect(masked(bob.diagnostic)).toBe('connect to mx2.example.org[…]:25: Connection refused');
    expect(bob.bounce).toMatchObject({ status: '4.4.1', remoteMta: null, diagnostic: bob.diagnostic });
    const block = bounceFor(world);
    expect(block).toMatchObject({ action: 'failed', status: '4.4.1', remoteMta: null });
    expect(block.diagnosticCode).toBe('X-Postfix; connect to mx2.example.org[…]:25: Connection refused');
    expect(block.fields['remote-mta']).toBeUndefined();
  });

  it('every MX silent (connect timeout): X-Postfix; … Connection timed out, no Remote-MTA', () => {
    const { report, world } = bounceWorld('\n  - { at: 0s, down: mx1.example.org }\n  - { at: 0s, down: mx2.example.org }');
    expect(recipient(report, 'bob@example.org')).toMatchObject({ status: 'bounced', statusCode: '4.4.1', remoteMta: null });
    expect(bounceFor(world)).toMatchObject({ remoteMta: null, diagnosticCode: 'X-Postfix; connect to mx2.example.org[…]:25: Connection timed out' });
  });

  it('a line lost before any reply: X-Postfix; lost connection with … while receiving the initial server greeting (Postfix’s words), no Remote-MTA', () => {
    const { world } = bounceWorld('\n  - { at: 0s, drop: { host: mx1.example.org, after: connect } }\n  - { at: 0s, drop: { host: mx2.example.org, after: connect } }');
    expect(bounceFor(world)).toMatchObject({
      status: '4.4.2',
      remoteMta: null,
      diagnosticCode: 'X-Postfix; lost connection with mx2.example.org[…] while receiving the initial server greeting',
    });
  });

  it('an earlier attempt’s reply does not stay behind as the Remote-MTA of a later refusal: the last attempt’s word replaces it whole', () => {
    // The first attempt meets a 421 greeting at both MX (a reply, with its host); every later one is refused.
    const { report, world } = bounceWorld(
      '\n  - { at: 0s, reply: { host: mx1.example.org, on: connect, code: 421, text: "4.3.2 busy" }, until: 2m }' +
        '\n  - { at: 0s, reply: { host: mx2.example.org, on: connect, code: 421, text: "4.3.2 busy" }, until: 2m }' +
        '\n  - { at: 2m, refuse: mx1.example.org }\n  - { at: 2m, refuse: mx2.example.org }',
    );
    const bob = recipient(report, 'bob@example.org');
    expect(bob.attempts[0]).toMatchObject({ to: 'mx1.example.org', result: 'deferred', reply: '421 4.3.2 busy' });
    expect(bob).toMatchObject({ status: 'bounced', statusCode: '4.4.1', remoteMta: null });
    expect(bounceFor(world)).toMatchObject({ remoteMta: null, diagnosticCode: 'X-Postfix; connect to mx2.example.org[…]:25: Connection refused' });
  });

  it('a reply is still the remote MTA’s: smtp; 550 5.1.1 … with Remote-MTA (unchanged)', () => {
    const { world } = bounceWorld('\n  - { at: 0s, reply: { host: mx1.example.org, on: rcpt, code: 550, text: "5.1.1 no such user" } }');
    expect(bounceFor(world)).toMatchObject({ status: '5.1.1', remoteMta: 'mx1.example.org', diagnosticCode: 'smtp; 550 5.1.1 no such user' });
  });
});

describe('issue 22 point 3: the status is the enhanced code of whichever reply decided it (RFC 3463, RFC 2034 §3)', () => {
  it('a scripted 421 4.3.2 greeting at the only MX until the lifetime ends: the bounce says 4.3.2 and the reply as written', () => {
    const { report, world } = bounceWorld('\n  - { at: 0s, reply: { host: mx1.example.org, on: connect, code: 421, text: "4.3.2 mx1 busy, try again later" } }', { onlyMx1: true });
    const bob = recipient(report, 'bob@example.org');
    expect(bob.attempts.every((a) => a.to !== 'mx1.example.org' || a.reply === '421 4.3.2 mx1 busy, try again later')).toBe(true);
    expect(bob).toMatchObject({ status: 'bounced', statusCode: '4.3.2', remoteMta: 'mx1.example.org' });
    expect(bounceFor(world)).toMatchObject({
      action: 'failed',
      status: '4.3.2',
      remoteMta: 'mx1.example.org',
      diagnosticCode: 'smtp; 421 4.3.2 mx1 busy, try again later',
    });
  });

  it('a greeting without an enhanced code defers with 4.0.0, as Postfix defaults it (smtp_chat.c: X.0.0)', () => {
    const { report } = bounceWorld('\n  - { at: 0s, reply: { host: mx1.example.org, on: connect, code: 421, text: "mx1 busy" } }', { onlyMx1: true });
    expect(recipient(report, 'bob@example.org')).toMatchObject({ status: 'bounced', statusCode: '4.0.0', diagnostic: '421 mx1 busy' });
  });

  it.each([
    ['connect', 421, '4.3.2'],
    ['ehlo', 421, '4.7.9'],
    ['mail', 451, '4.7.8'],
    ['rcpt', 452, '4.2.9'],
    ['data', 451, '4.3.7'],
    ['dot', 451, '4.6.9'],
  ])('a scripted reply at %s (%i %s …): the deferral’s status is its enhanced code, and the reply is logged as written', (stage, code, enhanced) => {
    const fault = `\n  - { at: 0s, reply: { host: mx1.example.org, on: ${stage}, code: ${code}, text: "${enhanced} scripted" } }`;
    const { report } = run(twoDomainWorld({ faults: fault, example: '{ mx: ["10 mx1.example.org"] }', until: '30m' }));
    const bob = recipient(report, 'bob@example.org');
    expect(bob).toMatchObject({ status: 'deferred', statusCode: enhanced, remoteMta: 'mx1.example.org', diagnostic: `${code} ${enhanced} scripted` });
    expect(bob.attempts[0]!.reply).toBe(`${code} ${enhanced} scripted`);
  });
});
