/**
 * A fault property over our own scenario file: whatever outages the primary MX has (powered off or
 * refusing connections, up to three times, each over within six hours), every message reaches Bob
 * within a day and none bounces. `faultSchedule`
 * draws the faults over the file's hosts; `expectations()` is the file's own `expect`; `noLoss()`
 * says no accepted message vanished. On the right file the property holds; on the file with the
 * planted mistake (a backup MX without relay-for) assertMail finds it and shrinks it to one fault.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertMail, expectations, faultSchedule, noLoss, scenarioObjectOf } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';

// Faults on mx1 only, starting in the first two hours, each undone within six hours: our promise is
// "mail survives an outage of the primary", not "mail survives losing the primary for good".
const primaryFaults = (file: string) =>
  faultSchedule(file, { kinds: ['down', 'refuse'], hosts: ['mx1.example.org'], maxFaults: 3, window: { from: '0s', to: '2h' }, healBy: '6h' });

describe('our MX setup, with faults on the primary MX', () => {
  it('delivers every message to Bob and bounces none', () => {
    assertMail(primaryFaults('scenarios/our-mail.yaml'), [noLoss(), expectations()], { numRuns: 100, seed: 1 });
  });

  it('finds the planted mistake (no relay-for on the backup MX) and shrinks it to one fault', () => {
    const dir = mkdtempSync(join(tmpdir(), 'our-mail-'));
    let failure: Error | undefined;
    try {
      assertMail(primaryFaults('scenarios/our-mail-no-relay-for.yaml'), [noLoss(), expectations()], { numRuns: 100, seed: 1, dir });
    } catch (error) {
      failure = error as Error;
    }
    expect(failure?.message).toMatch(/no-bounces/);
    // The message names the counterexample file, a scenario `mailsim run` replays.
    const file = /(\S+\.ya?ml)/.exec(failure?.message ?? '')?.[1];
    expect(file).toBeDefined();
    // Shrunk to the smallest case: one outage of mx1, during which a message arrives and bounces.
    const faults = scenarioObjectOf(file as string).faults as Array<Record<string, unknown>>;
    expect(faults).toHaveLength(1);
    expect(Object.values(faults[0] ?? {})).toContain('mx1.example.org');
  });
});
