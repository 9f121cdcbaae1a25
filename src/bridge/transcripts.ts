/**
 * serve's SMTP transcripts (docs/http-api.md §6): per session, the lines the client sent and the
 * server answered, with the time on serve's clock, so the HTTP API can show "the SMTP transcript of
 * the session that delivered it" (issue 20) beside each stored message.
 *
 * Theory of operation. The SMTP service opens a tap per connection (src/nodes/smtp/session-tap.ts)
 * once `install` set this store as its `taps`. A tap appends the machine's transcript events as lines:
 * a command as received (`C`; the machine already replaced AUTH's initial response and every SASL
 * line, as real servers log them), a reply as sent (`S`, one line per reply line, with its enhanced
 * code when the session uses them, RFC 2034), and for the message data a single placeholder
 * `<N bytes of message data>` — the data is never copied. A session keeps at most
 * `transcriptLinesMax` lines and `transcriptBytesMax` characters; what comes later is counted, not
 * kept. Each committed message maps its queue id (the `id` of the Received field the host added) to
 * its session's transcript and the number of lines up to the reply to its own final dot, so the
 * messages of one session share one transcript. An entry lives while a stored copy claims it
 * (`claim` / `release`, made by the API as messages land and are expunged); entries no copy claimed
 * (relayed mail, a delivery failure) are kept for the newest `unclaimedMax` only.
 */
import type { SmtpServerEvent } from '../protocols/smtp/server-api.js';
import type { SmtpReply } from '../protocols/smtp/types.js';
import type { SmtpSessionTap, SmtpSessionTaps } from '../nodes/smtp/session-tap.js';
import { SIM_EPOCH_MS } from '../sim/calendar.js';
import type { Simulator } from '../sim/index.js';

/** Lines one session keeps. */
export const transcriptLinesMax = 200;
/** Characters of line text one session keeps. */
export const transcriptBytesMax = 64 * 1024;
/** Committed messages no stored copy claimed, kept in case one does (the newest). */
export const unclaimedMax = 10_000;

export interface TranscriptLine {
  /** Unix ms on serve's clock. */
  readonly atMs: number;
  readonly dir: 'C' | 'S';
  readonly line: string;
}

export interface SessionInfo {
  readonly port: number;
  readonly clientAddress: string;
}

class SessionTranscript {
  readonly lines: TranscriptLine[] = [];
  chars = 0;
  linesOmitted = 0;

  constructor(readonly info: SessionInfo) {}

  add(atMs: number, dir: 'C' | 'S', line: string): void {
    if (this.lines.length >= transcriptLinesMax || this.chars + line.length > transcriptBytesMax) {
      this.linesOmitted += 1;
      return;
    }
    this.chars += line.length;
    this.lines.push({ atMs, dir, line });
  }

  /** Lines seen so far, kept or not: where a message's part of the transcript ends. */
  get seen(): number {
    return this.lines.length + this.linesOmitted;
  }
}

interface Entry {
  readonly session: SessionTranscript;
  /** Lines seen up to the reply to the message's final dot; null until that reply is sent. */
  end: number | null;
  claims: number;
}

export interface MessageTranscript {
  readonly session: SessionInfo;
  readonly lines: readonly TranscriptLine[];
  /** Lines of the session up to this message that were not kept (the bounds above). */
  readonly linesOmitted: number;
}

export class SmtpTranscripts implements SmtpSessionTaps {
  private readonly byQueueId = new Map<string, Entry>();
  /** Queue ids no copy claimed, oldest first. */
  private readonly unclaimed = new Set<string>();

  constructor(private readonly sim: Simulator) {}

  open(port: number, clientAddress: string): SmtpSessionTap {
    const session = new SessionTranscript({ port, clientAddress });
    return new TranscriptTap(session, this.sim, (queueId, entry) => this.committed(queueId, entry));
  }

  /** The transcript of the session that delivered the message with this queue id, up to its own dot. */
  of(queueId: string): MessageTranscript | null {
    const entry = this.byQueueId.get(queueId);
    if (entry === undefined) return null;
    const end = entry.end ?? entry.session.seen;
    const kept = Math.min(end, entry.session.lines.length);
    return { session: entry.session.info, lines: entry.session.lines.slice(0, kept), linesOmitted: end - kept };
  }

  /** A stored copy of the message names this transcript (it lives while one does). */
  claim(queueId: string): void {
    const entry = this.byQueueId.get(queueId);
    if (entry === undefined) return;
    entry.claims += 1;
    this.unclaimed.delete(queueId);
  }

  /** A stored copy is gone; the last one takes the entry (and, with the session's last, its lines). */
  release(queueId: string): void {
    const entry = this.byQueueId.get(queueId);
    if (entry === undefined || entry.claims === 0) return;
    entry.claims -= 1;
    if (entry.claims === 0) this.byQueueId.delete(queueId);
  }

  /** Entries held (for tests: a deleted message's is gone). */
  get size(): number {
    return this.byQueueId.size;
  }

  private committed(queueId: string, entry: Entry): void {
    this.byQueueId.set(queueId, entry);
    this.unclaimed.add(queueId);
    if (this.unclaimed.size <= unclaimedMax) return;
    const oldest = this.unclaimed.values().next().value as string;
    this.unclaimed.delete(oldest);
    this.byQueueId.delete(oldest);
  }
}

/**
 * One session's tap: events to lines. Every commit is followed by its transaction's `message` event
 * (the machine emits it after the dot's hook, which committed), and that by the reply to the dot:
 * the commits wait in order (several when the client pipelined whole transactions into one read),
 * each taken by the next `message` event and closed by the reply after it.
 */
class TranscriptTap implements SmtpSessionTap {
  private extended = true;
  private readonly committedInOrder: Entry[] = [];
  /** Between a `message` event and the reply to its dot: that message's entry (null: not committed). */
  private atDot: Entry | null | undefined;

  constructor(
    private readonly session: SessionTranscript,
    private readonly sim: Simulator,
    private readonly onCommitted: (queueId: string, entry: Entry) => void,
  ) {}

  committed(queueId: string): void {
    const entry: Entry = { session: this.session, end: null, claims: 0 };
    this.committedInOrder.push(entry);
    this.onCommitted(queueId, entry);
  }

  event(event: SmtpServerEvent): void {
    const atMs = SIM_EPOCH_MS + this.sim.nowMs;
    switch (event.type) {
      case 'command':
        this.session.add(atMs, 'C', event.line);
        return;
      case 'helo':
        this.extended = event.extended;
        return;
      case 'message':
        this.session.add(atMs, 'C', `<${event.message.length} bytes of message data>`);
        this.atDot = this.committedInOrder.shift() ?? null;
        return;
      case 'reply':
        for (const line of replyLines(event.reply, this.extended)) this.session.add(atMs, 'S', line);
        if (this.atDot !== undefined && this.atDot !== null) this.atDot.end = this.session.seen;
        this.atDot = undefined;
        return;
      default:
        return;
    }
  }
}

/** A reply as its lines go on the wire (RFC 5321 §4.2.1: `250-` then `250 `), enhanced code first (RFC 2034 §4). */
function replyLines(reply: SmtpReply, extended: boolean): string[] {
  const texts = reply.lines.length === 0 ? [''] : reply.lines;
  const enhanced = extended && reply.enhanced !== null && reply.enhanced !== undefined ? `${reply.enhanced} ` : '';
  return texts.map((text, i) => `${reply.code}${i < texts.length - 1 ? '-' : ' '}${enhanced}${text}`);
}
