/**
 * The registry of mail events (src/mail/events/index.ts): each kind once, found by its kind; and every
 * call site of a kind writes the event's keys in one order, so each kind has one object shape and the
 * declaration's `trace` and `fold` stay monomorphic (the hot paths were tuned for it). The shapes are
 * read from real runs: every example scenario and the fixture that uses every key.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MailEvent, mailEventDef, mailEvents } from '../../src/mail/events/index.js';
import { MailLog } from '../../src/mail/log.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { loadScenario } from '../../src/scenario/load.js';

/** The distinct key orders of the events of each kind. */
function shapesByKind(events: readonly MailEvent[]): Map<string, Set<string>> {
  const shapes = new Map<string, Set<string>>();
  for (const event of events) {
    const set = shapes.get(event.kind) ?? new Set<string>();
    set.add(Object.keys(event).join(','));
    shapes.set(event.kind, set);
  }
  return shapes;
}

/** Kinds written in more than one key order. */
const polymorphic = (events: readonly MailEvent[]) => [...shapesByKind(events)].filter(([, set]) => set.size > 1).map(([kind, set]) => `${kind}: ${[...set].join(' | ')}`);

describe('the mail events', () => {
  it('are listed once each, and found by their kind', () => {
    const kinds = mailEvents.map((def) => def.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const def of mailEvents) expect(mailEventDef(def.kind)).toBe(def);
    expect(() => mailEventDef('mail.nothing' as MailEvent['kind'])).toThrow(/no mail event/);
  });

  describe('as the nodes record them', () => {
    const recorded: MailEvent[] = [];
    beforeAll(() => {
      const original = MailLog.prototype.record;
      vi.spyOn(MailLog.prototype, 'record').mockImplementation(function (this: MailLog, event: MailEvent) {
        recorded.push(event);
        original.call(this, event);
      });
      const files = [...readdirSync('scenarios').map((f) => `scenarios/${f}`), 'test/scenario/fixtures/everything.yaml'];
      for (const file of files) runScenarioWorld(loadScenario(file));
    });
    afterAll(() => vi.restoreAllMocks());

    it('have one key order per kind, `kind` first', () => {
      const shapes = shapesByKind(recorded);
      // The runs reach the facts of a message's life; an open relay and a refused submission need worlds of their own.
      expect([...shapes.keys()].sort()).toEqual(expect.arrayContaining(['mail.accept', 'mail.attempt', 'mail.bounce', 'mail.deliver', 'mail.discard', 'mail.dsn', 'mail.submit']));
      expect(polymorphic(recorded)).toEqual([]);
      for (const set of shapes.values()) for (const keys of set) expect(keys.startsWith('kind,')).toBe(true);
    });

    it('a call site that writes the keys in another order is found', () => {
      const attempt = recorded.find((e) => e.kind === 'mail.attempt');
      expect(attempt).toBeDefined();
      const { kind, rcpt, messageId, ...rest } = attempt as Extract<MailEvent, { kind: 'mail.attempt' }>;
      const planted = { kind, rcpt, messageId, ...rest };
      expect(polymorphic([...recorded, planted])).toEqual([expect.stringMatching(/^mail\.attempt: /)]);
    });
  });
});
