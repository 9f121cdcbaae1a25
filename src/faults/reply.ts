/**
 * `reply: { host, on, code, text, times | probability, per }` (docs/reference.md §6): the SMTP server of
 * a host answers a scripted reply at a stage. Its text may start with an enhanced status code, which
 * must be of the reply code's class (RFC 3463 §3.1, RFC 2034 §4): the wire carries one status, as
 * written, at every stage — the greeting included (issue 22 point 3; nodes/smtp/fault-book.ts).
 * `probability` is drawn per command (the default, from the host's stream) or, with `per: session`,
 * once per SMTP session from the fault's own stream: a session either gets the reply at every command
 * of that stage or at none (nodes/smtp/fault-book.ts keeps each session's verdict).
 */
import { z } from 'zod';
import { leadingEnhancedCode } from '../protocols/smtp/reply.js';
import type { SmtpStage } from '../protocols/smtp/stages.js';
import { hostName, probability, strictObject, wholeNumber } from '../schema/base.js';
import { defineFaultKind } from './kind.js';
import { checkTimesOrProbability, describeOccurrences, hostDraw, needsAHost, occurrenceDraw, stageDraw, stageKey, timesKey } from './shared.js';

/** The text of a scripted reply that gives none. */
export const defaultFaultReplyText = 'injected fault (mailsim)';

/** Temporary (4xx) and permanent (5xx) codes a drawn `reply` uses (a scripted 2xx is a different server, not a fault). */
export const defaultReplyCodes: readonly number[] = [421, 450, 451, 452, 550, 552, 554];

const replyTexts: Record<number, string> = {
  250: '2.0.0 Ok (scripted)',
  421: '4.3.2 Service not available (scripted)',
  450: '4.2.0 Try again later (scripted)',
  451: '4.3.0 Local error in processing (scripted)',
  452: '4.3.1 Insufficient system storage (scripted)',
  550: '5.1.1 Mailbox unavailable (scripted)',
  552: '5.3.4 Message too big (scripted)',
  554: '5.7.1 Transaction failed (scripted)',
};

/** The text a drawn reply carries: an enhanced code of the same class (RFC 2034, docs/delivery.md D7). */
export function scriptedReplyText(code: number): string {
  return replyTexts[code] ?? `${Math.floor(code / 100)}.0.0 Scripted reply`;
}

export const reply = defineFaultKind({
  name: 'reply',
  keys: {
    reply: strictObject(
      {
        host: hostName('the SMTP server that answers'),
        on: stageKey('connect, ehlo, mail, rcpt, data or dot (the final ".")'),
        code: wholeNumber('SMTP reply code', 200, 599),
        text: z.string().optional().meta({ description: 'reply text' }),
        times: timesKey,
        probability: probability('chance per occurrence (per command), or per session with per: session').optional(),
        per: z
          .enum(['command', 'session'])
          .optional()
          .meta({ description: 'with probability: draw once per command (default), or once per SMTP session: every command at the stage in that session, or none', default: 'command' }),
      },
      'SMTP server answers code text at a stage',
    ).optional(),
  },
  refine(item, ctx) {
    if (typeof item.reply === 'object' && item.reply !== null) checkScriptedReplyText(item.reply as Record<string, unknown>, ctx);
    checkTimesOrProbability(item, 'reply', ctx);
    checkPerWithProbability(item, ctx);
  },
  normalise(item, tools) {
    const r = item.reply;
    const per: ReplyPer = r.per === 'session' ? 'session' : 'command';
    return { kind: 'reply', host: tools.name(r.host), on: r.on as SmtpStage, code: r.code, text: r.text ?? defaultFaultReplyText, times: r.times ?? null, probability: r.probability ?? null, per };
  },
  check: (action, tools, path) => tools.knownHost(action.host, [...path, 'reply', 'host']),
  apply: (action, target) =>
    target.smtp(action.host).addReply(action.on, action.code, action.text, action.times, action.probability, action.per === 'session' ? target.random() : null),
  describe: (action) => `${action.host} answers ${action.code} ${action.text} at ${action.on}${describeOccurrences(action)}${action.per === 'session' ? ' per session' : ''}`,
  draw: {
    weight: 2,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc
        .tuple(hostDraw(universe, fc), stageDraw(universe, fc), fc.constantFrom(...(universe.replyCodes ?? defaultReplyCodes)), occurrenceDraw(fc), fc.boolean())
        .map(([name, on, code, occurrences, perSession]) => ({
          reply: { host: name, on, code, text: scriptedReplyText(code), ...occurrences, ...(perSession && 'probability' in occurrences ? { per: 'session' } : {}) },
        })),
  },
  servedOn: (action) => action.host,
});

/** How often a reply fault's `probability` is drawn. */
type ReplyPer = 'command' | 'session';

/** `per` says how `probability` is drawn: without a probability it has nothing to say. */
function checkPerWithProbability(item: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const fields = item.reply;
  if (typeof fields !== 'object' || fields === null) return;
  const { per, probability } = fields as Record<string, unknown>;
  if (per !== undefined && probability === undefined) ctx.addIssue({ code: 'custom', message: 'per goes with probability (it says how the probability is drawn)', path: ['reply', 'per'] });
}

/**
 * A scripted reply's text goes on one reply line, and an enhanced status code at its start is the
 * reply's own: it must be of the reply code's class (RFC 3463 §3.1, RFC 2034 §4), or the wire would
 * carry two statuses that disagree.
 */
function checkScriptedReplyText(fields: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const { code, text } = fields;
  if (typeof text !== 'string') return;
  if (/[\r\n]/.test(text)) ctx.addIssue({ code: 'custom', message: 'reply text is one line: no CR or LF', path: ['reply', 'text'] });
  const enhanced = leadingEnhancedCode(text);
  if (enhanced !== null && typeof code === 'number' && Number(enhanced[0]) !== Math.floor(code / 100)) {
    ctx.addIssue({
      code: 'custom',
      message: `the text's enhanced status code ${enhanced} does not match reply code ${code}: its first digit must be ${Math.floor(code / 100)} (RFC 3463 §3.1)`,
      path: ['reply', 'text'],
    });
  }
}
