/**
 * Line framing and dot-stuffing for POP3 (RFC 1939 §3; RFC 2449 §4).
 *
 * `LineFramer` cuts a byte stream into CRLF-terminated lines (a bare LF is accepted as a line end,
 * a lenient reading of RFC 1939 §3). A line longer than its limit is not kept: its bytes are dropped as
 * they arrive and the line is reported as overlong when its end comes, so memory stays bounded and the
 * result does not depend on how the stream was chunked (the same events byte by byte or all at once).
 *
 * Multi-line responses (RFC 1939 §3): each line starting with "." gets one more "."; the response ends
 * with ".CRLF". `dotStuff` produces that body for a message held with CRLF line ends; `DotUnstuffer`
 * undoes it line by line on the client side.
 */
import { bytesLatin1 } from '../machine.js';

export type FramedLine = { overlong: false; text: string } | { overlong: true };

export class LineFramer {
  private partial = '';
  private overlong = false;

  /** @param lineBytesMax the longest line accepted, CRLF included. */
  constructor(private readonly lineBytesMax: number) {}

  /** Feeds bytes; returns the lines they complete, without their line end. */
  push(bytes: Uint8Array): FramedLine[] {
    const lines: FramedLine[] = [];
    const text = bytesLatin1(bytes);
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = text.slice(start, newline < 0 ? text.length : newline);
      if (!this.overlong) {
        this.partial += piece;
        // The line with its CRLF must fit. A trailing CR may be the first half of the CRLF; this
        // length never shrinks as bytes arrive, so the verdict does not depend on the chunking.
        const contentLength = this.partial.endsWith('\r') ? this.partial.length - 1 : this.partial.length;
        if (contentLength + 2 > this.lineBytesMax) {
          this.overlong = true;
          this.partial = '';
        }
      }
      if (newline < 0) break;
      if (this.overlong) lines.push({ overlong: true });
      else lines.push({ overlong: false, text: this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial });
      this.partial = '';
      this.overlong = false;
      start = newline + 1;
    }
    return lines;
  }

  /** Forgets a partial line (after STLS, bytes sent before the handshake must not be acted on). */
  reset(): void {
    this.partial = '';
    this.overlong = false;
  }
}

/** The body of a multi-line response for a CRLF message: dot-stuffed, CRLF-terminated, then ".CRLF". */
export function dotStuff(message: string): string {
  const terminated = message === '' || message.endsWith('\r\n') ? message : `${message}\r\n`;
  return `${terminated.replace(/^\./gm, '..')}.\r\n`;
}
