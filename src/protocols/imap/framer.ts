/**
 * Incremental framing of IMAP commands (and, for the client, responses): bytes in, complete frames out.
 *
 * IMAP is line-based except for literals (RFC 3501 §4.3, §7.5): a line that ends in `{n}` announces n
 * raw octets that follow the CRLF, after which the same command line continues. A synchronising literal
 * `{n}` makes the client wait for a `+` continuation request from the server; a non-synchronising
 * literal `{n+}` (LITERAL+, RFC 7888 §3) does not. A frame is therefore a list of segments: text lines
 * (decoded one byte per code unit, including the `{n}` that ends them) alternating with literal bytes.
 *
 * Limits (RFC 7888 §4 lets a server refuse a literal it will not store; RFC 9051 §7.1 TOOBIG):
 * - `commandTextBytesMax`: the text of one command, literals excluded. Past it the framer cannot find
 *   where the command ends safely, so the error is fatal (the server says BYE).
 * - `literalBytesMax`: one literal. A synchronising literal over it is refused before the client
 *   sends it; a non-synchronising one is skipped byte by byte, never buffered, and the command refused.
 * - `literalsPerCommandMax`: literals in one command.
 * - `commandBytesMax`: everything one command may make the framer hold — its text and its literals
 *   together. The owner lowers it before authentication (ImapServer's `preauthCommandBytesMax`, as
 *   Dovecot's imap-login reads a login command into a small buffer) and raises it after. A literal that
 *   would take the command over it is refused before one of its bytes is read: a synchronising one
 *   instead of the `+` (the command ends there), a non-synchronising one fatally, since its bytes are
 *   coming anyway (RFC 7888 §4; Dovecot answers a too-big literal with BYE and disconnects). A text line
 *   over what is left of it is fatal as `line-too-long` is.
 * `bufferedBytes` is what the framer holds now, the measure these limits bound.
 * Nothing here throws on peer input.
 */
import { concatBytes } from '../bytes.js';
import { bytesLatin1 } from '../machine.js';

export interface FramerLimits {
  commandTextBytesMax: number;
  literalBytesMax: number;
  literalsPerCommandMax: number;
  commandBytesMax: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = {
  commandTextBytesMax: 64 * 1024,
  literalBytesMax: 32 * 1024 * 1024,
  literalsPerCommandMax: 64,
  commandBytesMax: 32 * 1024 * 1024 + 64 * 1024,
};

export type FrameSegment = { kind: 'text'; text: string } | { kind: 'literal'; bytes: Uint8Array };

export type FramerOutput =
  /** A complete command (or response): its segments in order. */
  | { type: 'frame'; segments: FrameSegment[] }
  /** The peer announced a synchronising literal and waits for `+` (RFC 3501 §7.5). */
  | { type: 'continue'; tag: string; literalBytes: number }
  /**
   * The command was refused while framing. `fatal` means the stream can no longer be framed reliably
   * and the connection should be closed.
   */
  | { type: 'error'; tag: string; reason: FramerRefusal; fatal: boolean };

/** Why a command was refused while framing; `command-too-big`: over `commandBytesMax`. */
export type FramerRefusal = 'literal-too-big' | 'too-many-literals' | 'line-too-long' | 'command-too-big';

type Mode =
  | { kind: 'line' }
  | { kind: 'literal'; remainingBytes: number; chunks: Uint8Array[] }
  | { kind: 'skip-literal'; remainingBytes: number };

const LF = 0x0a;
const LITERAL_ANNOUNCEMENT = /\{(\d{1,20})(\+?)\}$/;

/** The tag of a command line: the first token, if it is a valid tag (RFC 3501 §9 tag); else "*". */
export function tagOf(firstLine: string): string {
  const match = /^([!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]{1,64})(?: |$)/.exec(firstLine);
  return match && !match[1]!.includes('+') ? match[1]! : '*';
}

export class ImapFramer {
  private readonly limits: FramerLimits;
  private mode: Mode = { kind: 'line' };
  /** Bytes of the current, not yet terminated, text line. */
  private lineChunks: Uint8Array[] = [];
  private lineBytes = 0;
  private segments: FrameSegment[] = [];
  private commandTextBytes = 0;
  /** Bytes of the current command's literals read so far (the one being read included). */
  private commandLiteralBytes = 0;
  private literalCount = 0;
  /** Set once the current command is refused: the rest of it is read and dropped, then reported. */
  private refusal: Extract<FramerOutput, { type: 'error' }> | null = null;
  /** True after a fatal error until the next complete line: input is dropped. */
  private discardingLine = false;
  private readonly pending: FramerOutput[] = [];

  constructor(limits: Partial<FramerLimits> = {}) {
    this.limits = { ...DEFAULT_FRAMER_LIMITS, ...limits };
  }

  /** Drops everything buffered (after STARTTLS, RFC 3501 §6.2.1: no plaintext may leak into TLS). */
  reset(): void {
    this.mode = { kind: 'line' };
    this.lineChunks = [];
    this.lineBytes = 0;
    this.resetCommand();
    this.discardingLine = false;
    this.pending.length = 0;
  }

  /** Lowers or raises the bound on one command's text and literals (before / after authentication). */
  setCommandBytesMax(bytes: number): void {
    this.limits.commandBytesMax = bytes;
  }

  /** Bytes held for the current command now: its text lines and the literal bytes read so far. */
  get bufferedBytes(): number {
    return this.commandTextBytes + this.lineBytes + this.commandLiteralBytes;
  }

  /** True when no partial command is buffered. */
  get idle(): boolean {
    return this.mode.kind === 'line' && this.lineBytes === 0 && this.segments.length === 0;
  }

  push(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const mode = this.mode;
      if (mode.kind === 'literal' || mode.kind === 'skip-literal') {
        const take = Math.min(mode.remainingBytes, bytes.length - offset);
        if (mode.kind === 'literal') {
          mode.chunks.push(bytes.slice(offset, offset + take));
          this.commandLiteralBytes += take;
        }
        mode.remainingBytes -= take;
        offset += take;
        if (mode.remainingBytes === 0) {
          if (mode.kind === 'literal') this.segments.push({ kind: 'literal', bytes: concatBytes(mode.chunks) });
          this.mode = { kind: 'line' };
        }
        continue;
      }
      const lf = bytes.indexOf(LF, offset);
      const end = lf === -1 ? bytes.length : lf + 1;
      this.appendLineBytes(bytes.subarray(offset, end));
      offset = end;
      if (lf !== -1) this.finishLine();
    }
  }

  /** The next complete output, or null when more bytes are needed. */
  next(): FramerOutput | null {
    return this.pending.shift() ?? null;
  }

  private appendLineBytes(chunk: Uint8Array): void {
    if (this.discardingLine) return;
    const limit = Math.min(this.limits.commandTextBytesMax, this.limits.commandBytesMax - this.commandLiteralBytes);
    if (this.commandTextBytes + this.lineBytes + chunk.length > limit + 2) {
      const firstLine = this.segments.length > 0 ? (this.segments[0] as { text: string }).text : this.currentLineText();
      this.pending.push({ type: 'error', tag: tagOf(firstLine ?? ''), reason: 'line-too-long', fatal: true });
      this.lineChunks = [];
      this.lineBytes = 0;
      this.resetCommand();
      this.discardingLine = true;
      return;
    }
    this.lineChunks.push(new Uint8Array(chunk)); // a copy, even of a Buffer (whose slice is a view)
    this.lineBytes += chunk.length;
  }

  private currentLineText(): string {
    return bytesLatin1(concatBytes(this.lineChunks));
  }

  private finishLine(): void {
    if (this.discardingLine) {
      this.discardingLine = false;
      return;
    }
    let text = this.currentLineText();
    this.lineChunks = [];
    this.commandTextBytes += this.lineBytes;
    this.lineBytes = 0;
    text = text.endsWith('\r\n') ? text.slice(0, -2) : text.slice(0, -1);
    this.segments.push({ kind: 'text', text });
    const firstText = (this.segments[0] as { text: string }).text;
    const announced = LITERAL_ANNOUNCEMENT.exec(text);
    if (!announced) {
      this.completeCommand();
      return;
    }
    const literalBytes = Number(announced[1]);
    const synchronising = announced[2] !== '+';
    const tag = tagOf(firstText);
    this.literalCount += 1;
    let refusal: Extract<FramerOutput, { type: 'error' }> | null = null;
    if (!Number.isSafeInteger(literalBytes) || literalBytes > this.limits.literalBytesMax) {
      refusal = { type: 'error', tag, reason: 'literal-too-big', fatal: false };
    } else if (this.literalCount > this.limits.literalsPerCommandMax) {
      refusal = { type: 'error', tag, reason: 'too-many-literals', fatal: false };
    } else if (this.bufferedBytes + literalBytes > this.limits.commandBytesMax && !this.refusal) {
      // Refused before a byte of it is read; a non-synchronising literal is coming anyway: fatal (RFC 7888 §4).
      refusal = { type: 'error', tag, reason: 'command-too-big', fatal: !synchronising };
      if (!synchronising) {
        this.pending.push(refusal);
        this.resetCommand();
        this.mode = { kind: 'skip-literal', remainingBytes: Number.MAX_SAFE_INTEGER }; // nothing more is framed
        return;
      }
    }
    if (synchronising) {
      if (refusal || this.refusal) {
        // The client waits for "+" and will not send the literal: the command ends here.
        this.pending.push(this.refusal ?? refusal!);
        this.resetCommand();
        return;
      }
      this.pending.push({ type: 'continue', tag, literalBytes });
      this.mode =
        literalBytes === 0 ? this.emptyLiteral() : { kind: 'literal', remainingBytes: literalBytes, chunks: [] };
      return;
    }
    if (refusal && !this.refusal) this.refusal = refusal;
    if (!Number.isSafeInteger(literalBytes)) {
      // Cannot even count that many bytes: give up on the stream.
      this.pending.push({ ...this.refusal!, fatal: true });
      this.resetCommand();
      this.discardingLine = false;
      this.mode = { kind: 'skip-literal', remainingBytes: Number.MAX_SAFE_INTEGER };
      return;
    }
    this.mode = this.refusal
      ? { kind: 'skip-literal', remainingBytes: literalBytes }
      : { kind: 'literal', remainingBytes: literalBytes, chunks: [] };
    if (literalBytes === 0) this.mode = this.refusal ? { kind: 'line' } : this.emptyLiteral();
  }

  private emptyLiteral(): Mode {
    this.segments.push({ kind: 'literal', bytes: new Uint8Array(0) });
    return { kind: 'line' };
  }

  private completeCommand(): void {
    if (this.refusal) this.pending.push(this.refusal);
    else this.pending.push({ type: 'frame', segments: this.segments });
    this.resetCommand();
  }

  private resetCommand(): void {
    this.segments = [];
    this.commandTextBytes = 0;
    this.commandLiteralBytes = 0;
    this.literalCount = 0;
    this.refusal = null;
  }
}
