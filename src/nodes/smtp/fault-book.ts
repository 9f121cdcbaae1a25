/**
 * The scripted SMTP faults of one host (docs/reference.md §6 `reply`, `drop`, `delay` and `corrupt`): which
 * stages answer with a scripted reply, after which stages the server cuts the line before replying,
 * which replies are held back, and which messages arrive damaged at the final dot; and the server's
 * switches (`rate-limit`, `greylist`, `tls-off`, kept in server-switches.ts). The world adds a fault at its `at` and removes it at
 * its `until`; `times` counts occurrences down, `probability` and the damaged byte are drawn from the
 * host's own seeded stream, so a run stays reproducible.
 *
 * A reply fault with `per: session` draws once per SMTP session instead of once per command: at the
 * first occurrence of its stage in a session it draws from the fault's own stream (so it shifts no
 * other draw) and keeps the verdict for that session, keyed by the session's identity
 * (SmtpSessionView.connection) in a WeakMap — every command at that stage in that session then gets
 * the reply, or none does.
 */
import { leadingEnhancedCode } from '../../protocols/smtp/reply.js';
import type { SmtpReply } from '../../protocols/smtp/types.js';
import type { CorruptMode } from '../../faults/kind.js';
import { findHeaderEnd } from '../mail/headers.js';
import { type RateLimit, SmtpServerSwitches } from './server-switches.js';
import type { RandomStream } from '../../sim/index.js';
import type { SmtpStage } from '../../protocols/smtp/stages.js';

type Effect = { kind: 'reply'; reply: SmtpReply } | { kind: 'drop' } | { kind: 'corrupt'; mode: CorruptMode } | { kind: 'delay'; byMs: number };

interface ScriptedFault {
  id: number;
  stage: SmtpStage;
  remaining: number | null;
  probability: number | null;
  effect: Effect;
  /** `per: session`: the fault's own stream and each session's verdict; null: a draw per occurrence. */
  perSession: { random: RandomStream; verdicts: WeakMap<object, boolean> } | null;
}

/** What a `corrupt` fault did to a message: the bytes that arrive, and where the damage is. */
export interface Corruption {
  message: Uint8Array;
  mode: CorruptMode;
  /** The flipped byte's offset, or the length the message was cut to. */
  offset: number;
}

/** One occurrence a scripted fault took: its stage, what it did, and the reply it gave (reply faults). */
export interface FiredFault {
  stage: SmtpStage;
  effect: Effect['kind'];
  reply: string | null;
}

export class SmtpFaultBook {
  private readonly faults: ScriptedFault[] = [];
  private nextId = 1;
  /** The server's switches (`rate-limit`, `greylist`, `tls-off`): server-switches.ts; the latest of a kind in force wins. */
  readonly switches = new SmtpServerSwitches();
  /** Who hears each fault that fires (serve's HTTP event stream); outside the trace, so no digest moves. */
  private readonly firedListeners = new Set<(fired: FiredFault) => void>();

  constructor(private readonly random: RandomStream) {}

  /**
   * Adds a scripted reply; returns the function that removes it. With `perSession` (the fault's own
   * stream) `probability` is drawn once per session, else once per occurrence from the host's stream.
   */
  addReply(stage: SmtpStage, code: number, text: string, times: number | null, probability: number | null, perSession: RandomStream | null = null): () => void {
    return this.add({
      stage,
      remaining: times,
      probability,
      effect: { kind: 'reply', reply: scriptedReply(code, text) },
      perSession: perSession === null ? null : { random: perSession, verdicts: new WeakMap() },
    });
  }

  /** Adds a drop after `stage`; returns the function that removes it. */
  addDrop(stage: SmtpStage, times: number | null, probability: number | null): () => void {
    return this.add({ stage, remaining: times, probability, effect: { kind: 'drop' }, perSession: null });
  }

  /** Holds the reply to `stage` for `byMs` (docs/reference.md §6 `delay`); returns the function that removes it. */
  addDelay(stage: SmtpStage, byMs: number, times: number | null, probability: number | null): () => void {
    return this.add({ stage, remaining: times, probability, effect: { kind: 'delay', byMs }, perSession: null });
  }

  /** How long the reply to this occurrence of `stage` is held (0: not at all). */
  delayAt(stage: SmtpStage): number {
    const effect = this.fire(stage, 'delay', null)?.effect;
    return effect?.kind === 'delay' ? effect.byMs : 0;
  }

  addRateLimit(limit: RateLimit): () => void {
    return this.switches.addRateLimit(limit);
  }

  addGreylist(delayMs: number | null): () => void {
    return this.switches.addGreylist(delayMs);
  }

  addTlsOff(): () => void {
    return this.switches.addTlsOff();
  }

  /** Adds damage to messages arriving at the final dot; returns the function that removes it. */
  addCorrupt(mode: CorruptMode, times: number | null, probability: number | null): () => void {
    return this.add({ stage: 'dot', remaining: times, probability, effect: { kind: 'corrupt', mode }, perSession: null });
  }

  /** The scripted reply for this occurrence of `stage` in the session `connection`, if a reply fault fires. */
  replyAt(stage: SmtpStage, connection: object): SmtpReply | null {
    const effect = this.fire(stage, 'reply', connection)?.effect;
    return effect?.kind === 'reply' ? effect.reply : null;
  }

  /** True if a drop fault fires for this occurrence of `stage`. */
  dropAfter(stage: SmtpStage): boolean {
    return this.fire(stage, 'drop', null) !== null;
  }

  /**
   * The message as it arrives when a corrupt fault fires for it (else null): `flip` inverts the low bit
   * of one body byte that is not CR or LF; `truncate` cuts the body short and ends it with CRLF. The
   * header block is left whole, so the damage is in what the sender wrote, not in the envelope.
   */
  corruptAtDot(message: Uint8Array): Corruption | null {
    const effect = this.fire('dot', 'corrupt', null)?.effect;
    if (effect?.kind !== 'corrupt') return null;
    const { bodyStart } = findHeaderEnd(message);
    if (message.length <= bodyStart) return null; // no body to damage
    if (effect.mode === 'truncate') {
      const keep = bodyStart + this.random.int(0, message.length - bodyStart - 1);
      const cut = new Uint8Array(keep + 2);
      cut.set(message.subarray(0, keep));
      cut.set([0x0d, 0x0a], keep);
      return { message: cut, mode: 'truncate', offset: keep };
    }
    const candidates: number[] = [];
    for (let i = bodyStart; i < message.length; i++) if (message[i] !== 0x0d && message[i] !== 0x0a) candidates.push(i);
    if (candidates.length === 0) return null;
    const offset = candidates[this.random.int(0, candidates.length - 1)]!;
    const flipped = message.slice();
    flipped[offset] = flipped[offset]! ^ 0x01;
    return { message: flipped, mode: 'flip', offset };
  }

  /** Registers a listener for every fault that fires from now on; returns the function that removes it. */
  onFired(listener: (fired: FiredFault) => void): () => void {
    this.firedListeners.add(listener);
    return () => this.firedListeners.delete(listener);
  }

  private add(fault: Omit<ScriptedFault, 'id'>): () => void {
    const id = this.nextId++;
    this.faults.push({ id, ...fault });
    return () => {
      const index = this.faults.findIndex((f) => f.id === id);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  private fire(stage: SmtpStage, effect: Effect['kind'], connection: object | null): ScriptedFault | null {
    // The latest fault in force for the stage wins (docs/reference.md §6); one whose `times` are used
    // up, or whose `probability` does not fire this time, leaves the occurrence to the one before it.
    for (let index = this.faults.length - 1; index >= 0; index--) {
      const fault = this.faults[index]!;
      if (fault.stage !== stage || fault.effect.kind !== effect) continue;
      if (fault.remaining !== null && fault.remaining <= 0) continue;
      if (fault.probability !== null && !this.drawn(fault, fault.probability, connection)) continue;
      if (fault.remaining !== null) fault.remaining--;
      if (this.firedListeners.size > 0) this.announce(stage, fault.effect);
      return fault;
    }
    return null;
  }

  /** Tells the listeners of a fault that fired outside the scripted list (a rate limit's 421, server-switches.ts). */
  announceReply(stage: SmtpStage, reply: SmtpReply): void {
    if (this.firedListeners.size > 0) this.announce(stage, { kind: 'reply', reply });
  }

  private announce(stage: SmtpStage, effect: Effect): void {
    const reply = effect.kind === 'reply' ? `${effect.reply.code} ${effect.reply.enhanced === null ? '' : `${effect.reply.enhanced} `}${effect.reply.lines.join(' ')}` : null;
    for (const listener of this.firedListeners) listener({ stage, effect: effect.kind, reply });
  }

  /** Whether `probability` fires: per occurrence from the host's stream, or once per session (see the top). */
  private drawn(fault: ScriptedFault, probability: number, connection: object | null): boolean {
    const perSession = fault.perSession;
    if (perSession === null) return this.random.chance(probability);
    if (connection === null) throw new Error('bug: a per-session fault asked without a session');
    let verdict = perSession.verdicts.get(connection);
    if (verdict === undefined) {
      verdict = perSession.random.chance(probability);
      perSession.verdicts.set(connection, verdict);
    }
    return verdict;
  }
}

/**
 * "451 4.3.0 try later" → code 451, enhanced 4.3.0 (when the text starts with one of the same class),
 * kept as written: the code goes on the wire at every stage, the greeting included (`enhancedAsWritten`).
 */
export function scriptedReply(code: number, text: string): SmtpReply {
  const enhanced = leadingEnhancedCode(text);
  if (enhanced !== null && Number(enhanced[0]) === Math.floor(code / 100)) {
    return { code, enhanced, lines: [text.slice(enhanced.length).trimStart() || 'scripted reply'], enhancedAsWritten: true };
  }
  return { code, enhanced: null, lines: [text || 'scripted reply'] };
}
