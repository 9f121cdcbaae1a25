/**
 * The world arbitrary's draws (docs/testing.md "Arbitraries"): a draft of domains, sends, queue
 * settings and seed, built into a scenario by world-build.ts. `worldCase` keeps what the generator
 * knows of the world (`WorldInfo`) beside the scenario, for the property suite (test/properties);
 * the public `world()` (world.ts) hands out the scenario alone.
 *
 * The record's keys and their order are the draw order: a change shifts every world a seed draws.
 */
import fc from 'fast-check';
import { buildWorld, type DomainDraft, type SendDraft } from './world-build.js';
import { domainsMax, sendsMax, type WorldCase, type WorldOptions } from './world-types.js';

function domainDraft(options: WorldOptions): fc.Arbitrary<DomainDraft> {
  const kinds = options.domainKinds ?? ['mx', 'mx', 'implicit', 'null'];
  return fc.record({
    kind: fc.constantFrom(...kinds),
    finalPreference: fc.integer({ min: 0, max: 20 }),
    backupSteps: fc.array(fc.integer({ min: 1, max: 3 }).map((step) => step * 5), { maxLength: 2 }),
    deadPreferences: options.deadMx === false ? fc.constant([]) : fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 2 }),
  });
}

function sendDraft(options: WorldOptions): fc.Arbitrary<SendDraft> {
  const users: Array<SendDraft['to'][number]['user']> = ['bob', 'carol', 'local'];
  if (options.unknownUsers) users.push('nobody');
  if (options.loop) users.push('loop');
  return fc.record({
    atS: fc.integer({ min: 0, max: 1200 }),
    from: fc.constantFrom('alice' as const, 'ann' as const),
    to: fc.array(fc.record({ domain: fc.integer({ min: 0, max: domainsMax - 1 }), user: fc.constantFrom(...users) }), { minLength: 1, maxLength: 3 }),
    sizeBytes: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
  });
}

const queueDraft = fc.record({
  minS: fc.constantFrom(60, 300),
  maxS: fc.constantFrom(300, 600, 4000),
  scanS: fc.constantFrom(60, 300),
  lifetimeS: fc.constantFrom(2 * 3600, 6 * 3600, 86_400),
});

/** A world (no faults yet) and what the properties need to know about it. */
export function worldCase(options: WorldOptions): fc.Arbitrary<WorldCase> {
  if (options.domainKinds !== undefined && options.domainKinds.length === 0) throw new TypeError('world(): domainKinds must name at least one kind');
  if (options.eximRules !== undefined && options.eximRules.length === 0) throw new TypeError('world(): eximRules, when given, must name at least one rule');
  return fc
    .record({
      domains: fc.array(domainDraft(options), { minLength: 1, maxLength: domainsMax }),
      sends: fc.array(sendDraft(options), { minLength: 1, maxLength: sendsMax }),
      smarthost: options.smarthost ? fc.boolean() : fc.constant(false),
      loop: options.loop ? fc.boolean() : fc.constant(false),
      ghost: options.ghostSender ? fc.boolean() : fc.constant(false),
      queue: queueDraft,
      hops: fc.integer({ min: 4, max: 12 }),
      seed: fc.integer({ min: 1, max: 1000 }),
      // Last, and a constant (no draw) without Exim rules: the other worlds stay exactly as they were.
      eximRule: options.eximRules === undefined ? fc.constant(0) : fc.nat({ max: options.eximRules.length - 1 }),
    })
    .map((draft) => buildWorld(draft, options));
}
