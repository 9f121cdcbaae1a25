/**
 * `rate-limit: { host, messages, per, code, text }` (docs/reference.md §6): the SMTP server lets a client
 * send `messages` MAIL FROM commands per SMTP session (`per: connection`, the default) or per client
 * address in a window (`per: 1m`, Postfix's smtpd_client_message_rate_limit with anvil's time unit), and
 * refuses the next with `421 4.7.0 Error: too much mail from ADDRESS` and closes the channel (RFC 5321
 * §3.8). Only counts and the clock decide: the same traffic gets the same refusals
 * (nodes/smtp/server-switches.ts).
 */
import { z } from 'zod';
import { duration, hostName, strictObject, wholeNumber } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

/** Postfix's code for a client over its message rate (smtpd.c). */
export const defaultRateLimitCode = 421;

export const rateLimit = defineFaultKind({
  name: 'rate-limit',
  keys: {
    'rate-limit': strictObject(
      {
        host: hostName('the SMTP server that limits'),
        messages: wholeNumber('MAIL FROM commands allowed before the next is refused', 0, 1_000_000),
        per: z
          .union([z.literal('connection'), duration('a window per client address, opened by its first MAIL FROM')], { error: 'expected connection, or a duration such as 1m' })
          .optional()
          .meta({ description: 'connection (per SMTP session), or a window per client address such as 1m', default: 'connection' }),
        code: wholeNumber('the reply code of a refusal (4xx: the client retries later)', 400, 499, defaultRateLimitCode).optional(),
        text: z.string().regex(/^[^\r\n]*$/, { error: 'reply text is one line: no CR or LF' }).optional().meta({ description: 'reply text (default: Error: too much mail from ADDRESS)' }),
      },
      'SMTP server refuses MAIL FROM beyond a rate',
    ).optional(),
  },
  normalise(item, tools) {
    const r = item['rate-limit'];
    const perMs = r.per === undefined || r.per === 'connection' ? null : r.per;
    return { kind: 'rate-limit', host: tools.name(r.host), messages: r.messages, perMs, code: r.code ?? defaultRateLimitCode, text: r.text ?? null };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'rate-limit', 'host']),
  apply: (action, target) => target.smtp(action.host).addRateLimit({ messages: action.messages, perMs: action.perMs, code: action.code, text: action.text }),
  describe: (action) => `${action.host} refuses MAIL FROM with ${action.code} after ${action.messages} ${action.perMs === null ? 'per connection' : `per ${action.perMs} ms per client`}`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc
        .tuple(hostDraw(universe, fc), fc.integer({ min: 0, max: 3 }), fc.constantFrom<string>('connection', '1m', '10m'))
        .map(([name, messages, per]) => ({ 'rate-limit': { host: name, messages, per } })),
  },
  servedOn: (action) => action.host,
});
