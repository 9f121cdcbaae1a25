/**
 * The compact records (src/mail/records.ts: pooled strings and lists, exact-size arrays, a list of
 * recipients) give the same report as the plain records they replaced (reference-records.ts): on
 * generated worlds with faults (bounces, DSNs, rejections, discards, retries) and on a bulk world, the
 * report's messages and invariants built from each are equal, byte for byte as JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkScenario } from '../../bench/scenarios.js';
import { World } from '../../src/nodes/world.js';
import { buildMessages } from '../../src/report/build.js';
import { evaluateInvariants } from '../../src/report/expectations.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { propertyTimeoutMs, runs } from '../properties/harness.js';
import { anyWorld, bounceWorld } from '../properties/worlds.js';
import { ReferenceRecords, referenceFold } from './reference-records.js';

/** The report's messages and invariants from the compact records and from the reference, as JSON. */
function bothReports(input: unknown): { compact: string; reference: string; messages: number } {
  const world = new World(validateScenarioObject(input), { keepTrace: false });
  const reference = new ReferenceRecords();
  world.log.observe((event, atMs) => referenceFold(reference, event, atMs));
  world.run();
  const queued = world.queuedRecipients();
  const of = (records: typeof world.log.records) => {
    const messages = buildMessages(records, queued);
    return JSON.stringify({ messages, invariants: evaluateInvariants(messages, records) });
  };
  return { compact: of(world.log.records), reference: of(reference.asRecords()), messages: world.log.records.messages.size };
}

describe('compact mail records', () => {
  it('give the same report as the plain records on generated worlds', () => {
    fc.assert(
      fc.property(fc.oneof(anyWorld(), bounceWorld()), (w) => {
        const { compact, reference } = bothReports(w.scenario);
        expect(compact).toBe(reference);
      }),
      { numRuns: runs(40) },
    );
  }, propertyTimeoutMs);

  it('give the same report on a bulk world (shared hops and senders, many messages)', () => {
    const { compact, reference, messages } = bothReports(bulkScenario({ count: 200 }));
    expect(messages).toBe(200);
    expect(compact).toBe(reference);
  });
});
