/**
 * Mailpit's chaos triggers (`GET/PUT /api/v1/chaos`, https://mailpit.axllent.org/docs/integration/chaos/):
 * per trigger an SMTP error code and a probability in percent. `Sender` answers the MAIL command,
 * `Recipient` each RCPT command — mailsim serves them as scripted `reply` faults at stage `mail` /
 * `rcpt` (docs/reference.md §6), drawn per command from the host's fault stream. `Authentication`
 * has no stage among mailsim's scripted faults: it is shown, and a PUT that sets it to fire
 * (probability above 0) is refused as bad input rather than silently ignored.
 *
 * A PUT replaces all three triggers; a trigger left out goes back to off (probability 0), as in Mailpit.
 */
import type { ServeHost } from '../bridge/serve-host.js';
import { scriptedReplyText } from '../faults/reply.js';
import type { SmtpStage } from '../protocols/smtp/stages.js';
import { BadInput, isRecord } from './bad-input.js';

export interface ChaosTrigger {
  ErrorCode: number;
  Probability: number;
}

const triggerNames = ['Sender', 'Recipient', 'Authentication'] as const;
type TriggerName = (typeof triggerNames)[number];

const stages: Record<TriggerName, SmtpStage | null> = { Sender: 'mail', Recipient: 'rcpt', Authentication: null };

/** Mailpit's default code for a trigger that is off. */
const defaultErrorCode = 451;

export class ChaosTriggers {
  private triggers: Record<TriggerName, ChaosTrigger> = {
    Sender: { ErrorCode: defaultErrorCode, Probability: 0 },
    Recipient: { ErrorCode: defaultErrorCode, Probability: 0 },
    Authentication: { ErrorCode: defaultErrorCode, Probability: 0 },
  };
  private undo: Array<() => void> = [];

  constructor(private readonly host: ServeHost) {}

  view(): Record<TriggerName, ChaosTrigger> {
    return { ...this.triggers };
  }

  /** Validates and applies a PUT body; BadInput (nothing changed) on any problem. */
  set(body: unknown): Record<TriggerName, ChaosTrigger> {
    if (!isRecord(body)) throw new BadInput('expected a JSON object { Sender?, Recipient?, Authentication? }', 'body');
    for (const key of Object.keys(body)) if (!(triggerNames as readonly string[]).includes(key)) throw new BadInput(`unknown trigger ${key}: expected ${triggerNames.join(', ')}`, `body.${key}`);
    const next = {} as Record<TriggerName, ChaosTrigger>;
    for (const name of triggerNames) next[name] = parseTrigger(body[name], name);
    if (next.Authentication.Probability > 0) throw new BadInput('mailsim has no scripted fault at AUTH; only Sender (MAIL) and Recipient (RCPT) can fire', 'body.Authentication.Probability');
    this.host.clock.pulse(() => {
      for (const undo of this.undo) undo();
      this.undo = [];
      for (const name of triggerNames) {
        const { ErrorCode, Probability } = next[name];
        const stage = stages[name];
        if (stage === null || Probability === 0) continue;
        this.undo.push(this.host.faults.addReply(stage, ErrorCode, scriptedReplyText(ErrorCode), null, Probability / 100));
      }
    });
    this.triggers = next;
    return this.view();
  }
}

function parseTrigger(value: unknown, name: TriggerName): ChaosTrigger {
  if (value === undefined) return { ErrorCode: defaultErrorCode, Probability: 0 };
  if (!isRecord(value)) throw new BadInput('expected { ErrorCode, Probability }', `body.${name}`);
  const code = value.ErrorCode ?? defaultErrorCode;
  const probability = value.Probability ?? 0;
  // Mailpit accepts 400–599: a chaos trigger is an error (RFC 5321 §4.2.1 4yz, 5yz).
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 599) throw new BadInput(`ErrorCode wants a whole number from 400 to 599, got ${JSON.stringify(code)}`, `body.${name}.ErrorCode`);
  if (typeof probability !== 'number' || !Number.isInteger(probability) || probability < 0 || probability > 100) throw new BadInput(`Probability wants a whole number from 0 to 100 (percent), got ${JSON.stringify(probability)}`, `body.${name}.Probability`);
  return { ErrorCode: code, Probability: probability };
}
