/**
 * `traffic(scenario, options)` (mailsim/testing, docs/testing.md "Arbitraries"): `send` items drawn
 * over a scenario's own users and domains, appended to its traffic.
 *
 * Senders are the users who can submit (a password, on a host with role msa that has their domain:
 * docs/reference.md §7, port 587); recipients are the mailboxes of the hosts that deliver locally,
 * plus, when asked, unknown users of those domains (refused with 550 5.1.1). Times are whole seconds
 * inside the window, bodies a short text or a generated size. Sends shrink away first, then
 * recipients, then towards the window's start and plain bodies.
 */
import fc from 'fast-check';
import { parseSize } from '../../schema/units.js';
import type { Scenario } from '../../scenario/schema-types.js';
import { type Duration, durationMs } from '../duration.js';
import type { ScenarioObject } from '../types.js';
import { type BaseScenario, overScenario, type ScenarioInput } from './scenario-input.js';

/** Sends per draw, at most, unless `maxSends` says otherwise. */
export const trafficMaxSendsDefault = 3;
/** Recipients per send, at most. */
export const trafficRecipientsMax = 3;
/** Sends start inside the first hour unless `window` says otherwise (and before `until`). */
const trafficWindowDefaultMs = 3_600_000;
/** Bodies up to this size unless `maxSize` says otherwise. */
const trafficMaxSizeDefault = '20kB';

export interface TrafficOptions {
  /** Sends per draw, at least (default 1). */
  minSends?: number;
  /** Sends per draw, at most (default 3). */
  maxSends?: number;
  /** When sends happen: `{ from, to }` durations (default the first hour, inside `until`). */
  window?: { from?: Duration; to?: Duration };
  /** Also send to unknown users of the scenario's domains (default false). */
  unknownUsers?: boolean;
  /** The largest generated body, a size (`'20kB'`) or bytes (default 20kB). */
  maxSize?: string | number;
  /** The only senders to draw (addresses; default every user who can submit). */
  senders?: readonly string[];
  /** The recipients to draw from, any addresses (default every mailbox of the scenario, plus unknown users when asked). */
  recipients?: readonly string[];
}

interface SendPlan {
  atS: number;
  from: string;
  to: string[];
  sizeBytes: number | null;
}

/** Draws the scenario with `send` items appended to its own traffic. */
export function traffic(scenario: ScenarioInput, options: TrafficOptions = {}): fc.Arbitrary<ScenarioObject> {
  const minSends = options.minSends ?? 1;
  const maxSends = options.maxSends ?? Math.max(minSends, trafficMaxSendsDefault);
  if (!Number.isInteger(minSends) || minSends < 0 || !Number.isInteger(maxSends) || maxSends < minSends) {
    throw new TypeError(`traffic(): minSends and maxSends must be whole numbers with 0 ≤ minSends ≤ maxSends, got ${minSends} and ${maxSends}`);
  }
  const size = parseSize(options.maxSize ?? trafficMaxSizeDefault);
  if (!size.ok || size.value < 1) throw new TypeError(`traffic(): maxSize: ${size.ok ? 'must be at least 1 byte' : size.message}`);
  return overScenario(scenario, 'traffic()', (base) => {
    const send = sendArbitrary(base, options, size.value);
    return fc.array(send, { minLength: minSends, maxLength: maxSends }).map((plans) => withSends(base.source, plans));
  });
}

function sendArbitrary(base: BaseScenario, options: TrafficOptions, maxSizeBytes: number): fc.Arbitrary<SendPlan> {
  const { senders, recipients } = addressesOf(base.scenario, options);
  const { fromS, toS } = windowOf(base.scenario, options);
  return fc.record({
    atS: fc.integer({ min: fromS, max: toS }),
    from: fc.constantFrom(...senders),
    to: fc.uniqueArray(fc.constantFrom(...recipients), { minLength: 1, maxLength: Math.min(trafficRecipientsMax, recipients.length) }),
    sizeBytes: fc.option(fc.integer({ min: 1, max: maxSizeBytes }), { nil: null }),
  });
}

function withSends(source: ScenarioObject, plans: readonly SendPlan[]): ScenarioObject {
  const own = Array.isArray(source.traffic) ? (source.traffic as unknown[]) : [];
  const sends = plans.map((plan, i) => {
    const message: Record<string, unknown> = { from: plan.from, to: plan.to, subject: `drawn ${i + 1}` };
    if (plan.sizeBytes === null) message.body = 'Hello';
    else message.size = plan.sizeBytes;
    return { at: `${plan.atS}s`, send: message };
  });
  return { ...source, traffic: [...own, ...sends] };
}

function windowOf(scenario: Scenario, options: TrafficOptions): { fromS: number; toS: number } {
  const lastMs = scenario.untilMs - 1000;
  const fromMs = options.window?.from === undefined ? 0 : durationMs(options.window.from, 'traffic(): window.from');
  const toMs = Math.min(lastMs, options.window?.to === undefined ? trafficWindowDefaultMs : durationMs(options.window.to, 'traffic(): window.to'));
  if (fromMs > toMs) throw new TypeError(`traffic(): the window starts at ${fromMs} ms, after its end ${toMs} ms (window.to, or a second before the scenario's until)`);
  return { fromS: Math.ceil(fromMs / 1000), toS: Math.floor(toMs / 1000) };
}

/** Who can send (submission on 587) and who can receive, as the scenario defines them. */
function addressesOf(scenario: Scenario, options: TrafficOptions): { senders: string[]; recipients: string[] } {
  const submitters = scenario.hosts.filter((host) => host.roles.includes('msa')).flatMap((host) => host.users.filter((user) => user.password !== null).flatMap((user) => user.addresses));
  const local = scenario.hosts.filter((host) => host.deliversLocally);
  const mailboxes = local.flatMap((host) => host.users.flatMap((user) => user.addresses));
  const unknown = options.unknownUsers ? [...new Set(local.flatMap((host) => host.domains))].map((domain) => `nobody@${domain}`) : [];
  const senders = pick(options.senders, submitters, 'senders', 'a user who can submit (a password, on a host with role msa and the domain)', scenario);
  if (options.recipients !== undefined && options.recipients.length === 0) throw new TypeError('traffic(): recipients, when given, must name at least one address');
  const recipients = options.recipients !== undefined ? [...new Set(options.recipients)] : pick(undefined, [...mailboxes, ...unknown], 'recipients', 'mailbox', scenario);
  return { senders, recipients };
}

function pick(wanted: readonly string[] | undefined, available: readonly string[], option: string, what: string, scenario: Scenario): string[] {
  const unique = [...new Set(available)];
  if (wanted === undefined) {
    if (unique.length === 0) throw new TypeError(`traffic(): ${scenario.file} has no ${what}, so there is nothing to draw ${option} from`);
    return unique;
  }
  const lower = new Map(unique.map((address) => [address.toLowerCase(), address]));
  const unknown = wanted.filter((address) => !lower.has(address.toLowerCase()));
  if (unknown.length > 0 || wanted.length === 0) throw new TypeError(`traffic(): ${option} must name at least one ${what} of ${scenario.file}; not one: ${unknown.join(', ') || '(none given)'}`);
  return [...new Set(wanted.map((address) => lower.get(address.toLowerCase())!))];
}
