/**
 * A reply held back for a while: the delay a server puts before its answer to a client that keeps
 * failing — Postfix's `smtpd_error_sleep_time` once a session is past `smtpd_soft_error_limit`,
 * Dovecot's `auth_failure_delay` after a failed login — so a password guesser gets a few tries a
 * second instead of thousands.
 *
 * Theory of operation (sans-IO, machine.ts): a machine has no clock, so the hold is in two steps. While
 * handling input, the session calls `request(outputLength, delayMs)` just before it writes the reply
 * that must wait, and stops reading input while `holding`. When the input step is over, the machine —
 * which was given `nowMs` — calls `arm(nowMs)`: the reply is due at `releaseAtMs`, which the machine
 * reports as its next deadline. Until then `split(output)` lets out only what was written before the
 * request (earlier pipelined replies go at once) and the machine does not report itself closed, so its
 * owner keeps the connection. A machine whose events tell the owner to act on the connection (SMTP's
 * `starttls`: the 220 must be written before the handshake starts) passes the events' length too and
 * holds the events from there with `splitEvents`. At `onTimeout(nowMs ≥ releaseAtMs)` the machine calls `release(nowMs)`,
 * the held reply goes out and the session reads on. The delay runs on whatever clock drives the
 * machine: virtual time in the simulator, the real clock under `mailsim serve`.
 */
export class OutputHold {
  /** Output chunks before this index may go now; -1: nothing is held. */
  private heldFrom = -1;
  /** Events before this index may go now; -1: events are not held. */
  private eventsFrom = -1;
  private delayMs = 0;
  /** When the held reply is due; null while no hold is armed. */
  releaseAtMs: number | null = null;

  /** True from `request` to `release`: the session must not read more input. */
  get holding(): boolean {
    return this.heldFrom >= 0;
  }

  /**
   * Hold everything written from `outputLength` on (and the events from `eventsLength` on, if given) for
   * `delayMs`; a second request before the release adds nothing.
   */
  request(outputLength: number, delayMs: number, eventsLength = -1): void {
    if (delayMs <= 0 || this.heldFrom >= 0) return;
    this.heldFrom = outputLength;
    this.eventsFrom = eventsLength;
    this.delayMs = delayMs;
  }

  /** After an input step: starts the delay of a new request at `nowMs`. */
  arm(nowMs: number): void {
    if (this.heldFrom >= 0 && this.releaseAtMs === null) this.releaseAtMs = nowMs + this.delayMs;
  }

  /** Splits the output (chunks, or reply texts) into what may be sent now and what stays held (the caller keeps `held`). */
  split<T>(output: T[]): { now: T[]; held: T[] } {
    if (this.heldFrom < 0) return { now: output, held: [] };
    const now = output.slice(0, this.heldFrom);
    this.heldFrom = 0; // the held chunks are now at the front of what the caller keeps
    return { now, held: output.slice(now.length) };
  }

  /** The same for the events, when `request` was given their length. */
  splitEvents<E>(events: E[]): { now: E[]; held: E[] } {
    if (this.heldFrom < 0 || this.eventsFrom < 0) return { now: events, held: [] };
    const now = events.slice(0, this.eventsFrom);
    this.eventsFrom = 0;
    return { now, held: events.slice(now.length) };
  }

  /** True (and the hold is over) when `nowMs` reached the release time. */
  release(nowMs: number): boolean {
    if (this.releaseAtMs === null || nowMs < this.releaseAtMs) return false;
    this.heldFrom = -1;
    this.eventsFrom = -1;
    this.releaseAtMs = null;
    return true;
  }
}
