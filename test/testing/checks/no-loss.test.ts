/**
 * noLoss() (R1): catches a server that answers 250 to the final dot without committing the message
 * (the `reply` fault with code 250 at `dot` is exactly that bug, docs/reference.md §6), and passes when
 * the same server commits; the store cross-check catches a log that claims a landing the mailbox lacks.
 */
import { noLoss, runMail } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';
import { lines, twoMxWorld } from './worlds.js';

describe('noLoss()', () => {
  it('passes when every accepted message is delivered', () => {
    expect(noLoss()(runMail(twoMxWorld()))).toEqual([]);
  });

  it('catches a 250 to the dot without a commit, naming the message, the address and the time', () => {
    const run = runMail(twoMxWorld({ faults: [{ at: '0s', reply: { host: 'mx1.example.org', on: 'dot', code: 250 } }] }));
    const found = lines(noLoss()(run));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^m1 <[^>]+> → bob@example\.org was accepted and then lost: .* at t=[0-9dhms. ]+.* \(R1\)$/);
    expect(noLoss()(run)[0]!.check).toBe('noLoss');
  });

  it('catches a landing the log claims but no mailbox holds', () => {
    const run = runMail(twoMxWorld());
    const recipient = run.report.messages[0]!.recipients[0]!;
    const doctored = { ...run, report: { ...run.report, messages: [{ ...run.report.messages[0]!, recipients: [{ ...recipient, deliveries: [...recipient.deliveries, recipient.deliveries[0]!] }] }] } };
    expect(lines(noLoss()(doctored))).toEqual([expect.stringMatching(/the log counts 2 landing\(s\) on mx1\.example\.org but its mailboxes hold 1/)]);
  });
});
