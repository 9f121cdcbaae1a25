/**
 * Replies whose text carries one variable part, kept by that part: "250 2.1.0 Sender <a@b> OK",
 * "250 2.1.5 Recipient <c@d> OK", "221 2.0.0 mx.example closing connection".
 *
 * Theory of operation. A server says these with the same few addresses and its own name again and
 * again; each would build a text, a reply and its wire form anew. A memo keeps, per variable part, the
 * reply built once (`keptReply`, reply.ts: each wire form formatted when first sent, then reused). At
 * `capacity` parts it forgets them all and starts over, so memory stays bounded and a stream of
 * one-off parts costs a Map insertion more per reply, no more. The replies are shared and never
 * changed; what a reply says never depends on the memo (test/protocols/smtp/reply-memo.test.ts).
 */
import { keptReply, smtpReply } from './reply.js';
import type { SmtpReply } from './types.js';

export const REPLY_MEMO_CAPACITY = 256;

export class ReplyMemo {
  private readonly replies = new Map<string, SmtpReply>();

  constructor(
    private readonly code: number,
    private readonly enhanced: string | null,
    private readonly text: (part: string) => string,
    private readonly capacity = REPLY_MEMO_CAPACITY,
  ) {}

  /** `smtpReply(code, enhanced, text(part))`, kept. */
  reply(part: string): SmtpReply {
    const known = this.replies.get(part);
    if (known !== undefined) return known;
    if (this.replies.size >= this.capacity) this.replies.clear();
    const reply = keptReply(smtpReply(this.code, this.enhanced, this.text(part)));
    this.replies.set(part, reply);
    return reply;
  }
}
