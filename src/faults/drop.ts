/**
 * `drop: { host, after, times | probability }` (docs/reference.md §6): the SMTP server cuts the
 * connection right after it processed a stage, before its reply goes out. After `dot` the message is
 * already committed: the client never sees the 250 and sends it again — the RFC 1047 duplicate
 * (docs/delivery.md E3).
 */
import type { SmtpStage } from '../protocols/smtp/stages.js';
import { hostName, probability, strictObject } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { checkTimesOrProbability, describeOccurrences, hostDraw, needsAHost, occurrenceDraw, stageDraw, stageKey, timesKey } from './shared.js';

export const drop = defineFaultKind({
  name: 'drop',
  keys: {
    drop: strictObject(
      {
        host: hostName('the SMTP server that cuts the connection'),
        after: stageKey('connect, ehlo, mail, rcpt, data or dot (after dot: the RFC 1047 window)'),
        times: timesKey,
        probability: probability('chance per occurrence').optional(),
      },
      'server cuts the connection after a stage, before replying',
    ).optional(),
  },
  refine: (item, ctx) => checkTimesOrProbability(item, 'drop', ctx),
  normalise(item, tools) {
    const d = item.drop;
    return { kind: 'drop', host: tools.name(d.host), after: d.after as SmtpStage, times: d.times ?? null, probability: d.probability ?? null };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'drop', 'host']),
  apply: (action, target) => target.smtp(action.host).addDrop(action.after, action.times, action.probability),
  describe: (action) => `${action.host} drops the connection after ${action.after}${describeOccurrences(action)}`,
  draw: {
    weight: 2,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc.tuple(hostDraw(universe, fc), stageDraw(universe, fc), occurrenceDraw(fc)).map(([name, after, occurrences]) => ({ drop: { host: name, after, ...occurrences } })),
  },
  servedOn: (action) => action.host,
});
