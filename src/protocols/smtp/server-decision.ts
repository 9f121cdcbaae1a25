/**
 * The owner's decision on a hook (server-api.ts), checked against its stage before the session applies
 * it. A reject needs a 4xx/5xx reply; an accept may carry its own success reply (3xx for DATA's 354,
 * 2xx elsewhere), and an accept carrying 4xx/5xx is the scenario's `reply` fault: the command fails
 * with that reply (RFC 5321 §4.2.1). A reply of the wrong class is the owner's bug: a TypeError.
 */
import type { Outcome } from './commands/context.js';
import { normalizeOwnerReply, replyClass } from './reply.js';
import type { SmtpDecision, SmtpServerStage } from './server-api.js';

/** An accept without a reply of its own: the default success reply. */
const ACCEPTED: Outcome = { kind: 'success', reply: null };
const DROPPED: Outcome = { kind: 'drop' };

/** Checks a decision against the stage; a reply of the wrong class is the owner's bug (throw). */
export function validateDecision(stage: SmtpServerStage, decision: SmtpDecision): Outcome {
  if (decision.kind === 'drop') return DROPPED;
  if (decision.kind === 'reject') {
    const reply = normalizeOwnerReply(decision.reply);
    if (replyClass(reply) < 4) throw new TypeError(`a reject decision needs a 4xx/5xx reply, got ${reply.code}`);
    return { kind: 'failure', reply };
  }
  if (decision.kind !== 'accept') throw new TypeError(`unknown decision ${JSON.stringify(decision)}`);
  if (decision.reply === undefined) return ACCEPTED;
  const reply = normalizeOwnerReply(decision.reply);
  const cls = replyClass(reply);
  // An accept carrying 4xx/5xx is the scenario's `reply` fault: the command fails with that reply.
  if (cls >= 4) return { kind: 'failure', reply };
  const successClass = stage === 'data' ? 3 : 2;
  if (cls !== successClass) throw new TypeError(`an accept at stage ${stage} needs a ${successClass}xx reply, got ${reply.code}`);
  return { kind: 'success', reply };
}
