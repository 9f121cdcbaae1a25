/**
 * `corrupt: { host, mode, times | probability }` (docs/reference.md §6): a message reaching the host's
 * SMTP server is damaged in flight — the server cannot tell (SMTP has no checksum of the content,
 * RFC 5321 §4.1.1.4), accepts it with 250 and delivers or relays the damaged bytes. `flip` inverts
 * one bit of one body byte; `truncate` cuts the body short. The header block stays whole.
 */
import { z } from 'zod';
import { hostName, probability, strictObject } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { checkTimesOrProbability, describeOccurrences, hostDraw, needsAHost, occurrenceDraw, timesKey } from './shared.js';

export const corrupt = defineFaultKind({
  name: 'corrupt',
  keys: {
    corrupt: strictObject(
      {
        host: hostName('the SMTP server whose incoming messages are damaged'),
        mode: z.enum(['flip', 'truncate']).optional().meta({ description: 'flip one bit of the body, or truncate the body', default: 'flip' }),
        times: timesKey,
        probability: probability('chance per message').optional(),
      },
      'messages arrive damaged at the final dot',
    ).optional(),
  },
  refine: (item, ctx) => checkTimesOrProbability(item, 'corrupt', ctx),
  normalise(item, tools) {
    const c = item.corrupt;
    return { kind: 'corrupt', host: tools.name(c.host), mode: c.mode ?? 'flip', times: c.times ?? null, probability: c.probability ?? null };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'corrupt', 'host']),
  apply: (action, target) => target.smtp(action.host).addCorrupt(action.mode, action.times, action.probability),
  describe: (action) => `messages to ${action.host} arrive damaged (${action.mode})${describeOccurrences(action)}`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc.tuple(hostDraw(universe, fc), fc.constantFrom('flip', 'truncate'), occurrenceDraw(fc)).map(([name, mode, occurrences]) => ({ corrupt: { host: name, mode, ...occurrences } })),
  },
  servedOn: (action) => action.host,
});
