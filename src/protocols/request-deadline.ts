/**
 * The deadline a server machine gives its peer to finish the request it is reading — a command line,
 * a whole DATA block, an IMAP command with its literals — that a trickle of bytes cannot push back
 * (issue 19 §1, "slowloris").
 *
 * Theory of operation. The clock starts when the server last answered (its greeting, a reply, a `+`
 * continuation): the peer then has `idleMs` to send the next request, plus a credit of
 * 1 s per `minRateBytesPerS` octets it sends towards it, so a large message sent at a sane rate is never
 * cut, while a client that sends one byte a second gains 2 ms a second and is out after about `idleMs`.
 * Bytes that produce no answer (a partial line, DATA content, a literal) only add credit; the machine
 * calls `restart` when it answered. This is Postfix's `smtpd_per_request_deadline = yes` (its setting
 * under stress) with `smtpd_timeout` as `idleMs` and `smtpd_min_data_rate` (500 bytes/s) as the rate;
 * without it, a server whose idle timer restarts at every byte keeps a 1-byte/s client forever.
 */

/** Postfix `smtpd_min_data_rate`: the credit per octet is 1000 / 500 = 2 ms. */
export const MIN_DATA_RATE_BYTES_PER_S_DEFAULT = 500;

export class RequestDeadline {
  private startMs: number;
  private creditBytes = 0;

  constructor(
    private readonly idleMs: number,
    private readonly minRateBytesPerS: number,
    nowMs: number,
  ) {
    this.startMs = nowMs;
  }

  /** The server answered: the next request starts now with no credit. */
  restart(nowMs: number): void {
    this.startMs = nowMs;
    this.creditBytes = 0;
  }

  /** Octets towards the request being read, which did not complete it. */
  credit(bytes: number): void {
    this.creditBytes += bytes;
  }

  get deadlineMs(): number {
    return this.startMs + this.idleMs + Math.floor((this.creditBytes * 1000) / this.minRateBytesPerS);
  }
}
