/**
 * The scripted SMTP faults of one host (docs/reference.md §6 `reply` and `drop`): which stages answer with a
 * scripted reply, and after which stages the server cuts the line before replying. The world adds a
 * fault at its `at` and removes it at its `until`; `times` counts occurrences down, `probability`
 * draws from the host's own seeded stream, so a run stays reproducible.
 */
import { leadingEnhancedCode } from '../../protocols/smtp/reply.js';
import type { SmtpReply } from '../../protocols/smtp/types.js';
import type { RandomStream } from '../../sim/index.js';
import type { SmtpStage } from '../../protocols/smtp/stages.js';

interface ScriptedFault {
  id: number;
  stage: SmtpStage;
  remaining: number | null;
  probability: number | null;
  reply: SmtpReply | null;
}

export class SmtpFaultBook {
  private readonly faults: ScriptedFault[] = [];
  private nextId = 1;

  constructor(private readonly random: RandomStream) {}

  /** Adds a scripted reply; returns the function that removes it. */
  addReply(stage: SmtpStage, code: number, text: string, times: number | null, probability: number | null): () => void {
    return this.add({ stage, remaining: times, probability, reply: scriptedReply(code, text) });
  }

  /** Adds a drop after `stage`; returns the function that removes it. */
  addDrop(stage: SmtpStage, times: number | null, probability: number | null): () => void {
    return this.add({ stage, remaining: times, probability, reply: null });
  }

  /** The scripted reply for this occurrence of `stage`, if a reply fault fires. */
  replyAt(stage: SmtpStage): SmtpReply | null {
    const fault = this.fire(stage, true);
    return fault?.reply ?? null;
  }

  /** True if a drop fault fires for this occurrence of `stage`. */
  dropAfter(stage: SmtpStage): boolean {
    return this.fire(stage, false) !== null;
  }

  private add(fault: Omit<ScriptedFault, 'id'>): () => void {
    const id = this.nextId++;
    this.faults.push({ id, ...fault });
    return () => {
      const index = this.faults.findIndex((f) => f.id === id);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  private fire(stage: SmtpStage, isReply: boolean): ScriptedFault | null {
    // The latest fault in force for the stage wins (docs/reference.md §6); one whose `times` are used
    // up, or whose `probability` does not fire this time, leaves the occurrence to the one before it.
    for (let index = this.faults.length - 1; index >= 0; index--) {
      const fault = this.faults[index]!;
      if (fault.stage !== stage || (fault.reply !== null) !== isReply) continue;
      if (fault.remaining !== null && fault.remaining <= 0) continue;
      if (fault.probability !== null && !this.random.chance(fault.probability)) continue;
      if (fault.remaining !== null) fault.remaining--;
      return fault;
    }
    return null;
  }
}

/** "451 4.3.0 try later" → code 451, enhanced 4.3.0 (when the text starts with one of the same class). */
export function scriptedReply(code: number, text: string): SmtpReply {
  const enhanced = leadingEnhancedCode(text);
  if (enhanced !== null && Number(enhanced[0]) === Math.floor(code / 100)) {
    return { code, enhanced, lines: [text.slice(enhanced.length).trimStart() || 'scripted reply'] };
  }
  return { code, enhanced: null, lines: [text || 'scripted reply'] };
}
