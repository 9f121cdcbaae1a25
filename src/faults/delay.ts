/**
 * `delay: { host, on, by, times | probability }` (docs/reference.md §6): the SMTP server holds its reply
 * to a stage for a while — a slow policy check, a DNSBL lookup, a tarpit. The command is decided as
 * usual (a scripted `reply` at the same stage is held too); the answer goes out `by` later. A client
 * whose timeout for that stage is shorter gives up first (RFC 5321 §4.5.3.2; docs/reference.md §5
 * `timeouts`), which is what makes a delay a fault.
 */
import type { SmtpStage } from '../protocols/smtp/stages.js';
import { duration, hostName, probability, strictObject } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { checkTimesOrProbability, describeOccurrences, hostDraw, needsAHost, occurrenceDraw, stageDraw, stageKey, timesKey } from './shared.js';

/** Delays a drawn `delay` uses: short ones that only slow delivery, and ones past the default client timeouts (5 min). */
const drawnDelaysMs = [2_000, 30_000, 6 * 60_000, 11 * 60_000];

export const delay = defineFaultKind({
  name: 'delay',
  keys: {
    delay: strictObject(
      {
        host: hostName('the SMTP server that answers late'),
        on: stageKey('connect (the greeting), ehlo, mail, rcpt, data or dot (the final ".")'),
        by: duration('how long the reply is held'),
        times: timesKey,
        probability: probability('chance per occurrence').optional(),
      },
      'SMTP server holds its reply to a stage',
    ).optional(),
  },
  refine: (item, ctx) => checkTimesOrProbability(item, 'delay', ctx),
  normalise(item, tools) {
    const d = item.delay;
    return { kind: 'delay', host: tools.name(d.host), on: d.on as SmtpStage, byMs: d.by, times: d.times ?? null, probability: d.probability ?? null };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'delay', 'host']),
  apply: (action, target) => target.smtp(action.host).addDelay(action.on, action.byMs, action.times, action.probability),
  describe: (action) => `${action.host} holds its reply at ${action.on} for ${action.byMs} ms${describeOccurrences(action)}`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc
        .tuple(hostDraw(universe, fc), stageDraw(universe, fc), fc.constantFrom(...drawnDelaysMs), occurrenceDraw(fc))
        .map(([name, on, byMs, occurrences]) => ({ delay: { host: name, on, by: `${byMs / 1000}s`, ...occurrences } })),
  },
  servedOn: (action) => action.host,
});
