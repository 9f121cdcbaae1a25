/**
 * Drives one sans-IO protocol machine (SMTP, POP3, IMAP; server or client) over one virtual
 * connection: the only place where a node's machines meet the network and the clock.
 *
 * Theory of operation. Bytes that arrive go to `machine.receive(bytes, now)`; after every input the
 * session "pumps": it writes what the machine wants sent — all of it in one write, one segment per
 * burst, as a stack sends pipelined replies (RFC 2920 §3.1: the server's replies to a pipelined group go
 * out together) — then hands the machine's events to the owner
 * (output first, so a "220 Ready to start TLS" is on the wire before the owner starts the handshake,
 * RFC 3207 §4), then keeps one kernel timer for the machine's next deadline. The timer is lazy: it is
 * re-armed only when the deadline moved earlier, and a timer that fires early (the deadline moved
 * later) re-arms itself, so a busy session does not churn the event queue. When the machine says it
 * is closed the session half-closes the connection (or resets it after `abort`); when the connection
 * ends or dies first, the machine gets `receiveEof`.
 *
 * Crashes: a node whose host went down must not act on anything that happens to its old sessions, so
 * every callback first asks `isAlive()` (the node compares boot epochs) and does nothing when false.
 */
import { joinSegment } from '../protocols/bytes.js';
import type { SansIoMachine } from '../protocols/machine.js';
import type { Simulator, TimerId } from '../sim/index.js';
import type { CloseReason, ConnectionHandlers } from '../net/connection.js';
import type { StreamEndpoint } from './stream-endpoint.js';

export interface MachineSessionOwner<Event> {
  /** Called for every machine event, in order. */
  onEvent(event: Event, session: MachineSession<Event>): void;
  /** Called once, when the session is over (machine closed and connection gone, or the connection died). */
  onFinished?(session: MachineSession<Event>): void;
}

/** What `MachineSession.start` runs first: an object, not a closure, so a session needs none to start. */
export interface MachineStart {
  start(nowMs: number): void;
}

/** For a machine that has nothing to do when its session starts (it greets from its constructor). */
export const nothingToStart: MachineStart = { start() {} };

export interface TlsMachine {
  tlsEstablished(nowMs: number): void;
}

export class MachineSession<Event> implements ConnectionHandlers {
  finished = false;
  private timer: TimerId | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private aborted = false;
  private ending = false;
  /**
   * False until `start`: on an implicit-TLS port (465, 995, 993) the machine starts only once the
   * handshake is done, and a peer may hang up before that. Such a connection is closed without ever
   * showing the machine anything (it had no session yet; its receiveEof would be a misuse).
   */
  private started = false;

  constructor(
    readonly sim: Simulator,
    readonly conn: StreamEndpoint,
    readonly machine: SansIoMachine<Event> & Partial<TlsMachine>,
    private readonly owner: MachineSessionOwner<Event>,
    private readonly isAlive: () => boolean,
  ) {
    // The session is its connection's handlers (onData, onEnd, onClose below): no closures per connection.
    conn.setHandlers(this);
  }

  /** ConnectionHandlers (called by the connection only): bytes arrived. */
  onData(bytes: Uint8Array): void {
    if (!this.live() || !this.started) return;
    this.machine.receive(bytes, this.sim.nowMs);
    this.pump();
  }

  /** ConnectionHandlers: the peer half-closed. */
  onEnd(): void {
    if (!this.live()) return;
    if (!this.started) {
      this.closeTransport();
      return;
    }
    if (!this.machine.closed) this.machine.receiveEof(this.sim.nowMs);
    this.pump();
  }

  /** ConnectionHandlers: the connection is gone. */
  onClose(reason: CloseReason): void {
    if (!this.isAlive() || this.finished) return;
    if (reason === 'host-down') {
      // Our own host lost power: the process that owned this session is gone, it does nothing more.
      this.finished = true;
      this.cancelTimer();
      return;
    }
    if (this.started && !this.machine.closed) {
      this.machine.receiveEof(this.sim.nowMs);
      this.pump();
    }
    this.finish();
  }

  /** Runs the machine's own start (SMTP's greeting; `nothingToStart` for none) and pumps. */
  start(machine: MachineStart): void {
    this.started = true;
    machine.start(this.sim.nowMs);
    this.pump();
  }

  /** Starts this side's TLS handshake; the machine learns of it when the handshake completes. */
  beginTls(): void {
    this.conn.startTls(() => {
      if (!this.live()) return;
      this.machine.tlsEstablished?.(this.sim.nowMs);
      this.pump();
    });
  }

  /** Cuts the connection (a `drop` fault): the peer sees a reset, not a clean close. */
  abort(): void {
    this.aborted = true;
  }

  /** Writes output, dispatches events, follows the machine's close and deadline. */
  pump(): void {
    if (!this.live()) return;
    const output = this.machine.takeOutput();
    if (output.length !== 0 && this.conn.writable) this.conn.write(output.length === 1 ? output[0]! : joinSegment(output));
    const events = this.machine.takeEvents();
    for (let i = 0; i < events.length; i++) {
      this.owner.onEvent(events[i]!, this);
      if (!this.isAlive()) return;
    }
    if (this.machine.closed) {
      this.closeTransport();
      return;
    }
    this.armTimer();
  }

  private live(): boolean {
    return !this.finished && this.isAlive();
  }

  private closeTransport(): void {
    this.cancelTimer();
    if (this.ending) return;
    this.ending = true;
    if (this.conn.state === 'closed') {
      this.finish();
    } else if (this.aborted) {
      this.conn.reset();
      this.finish();
    } else {
      // Half-close; the session finishes when the peer's FIN (or a reset) closes the connection.
      this.conn.end();
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelTimer();
    this.owner.onFinished?.(this);
  }

  private armTimer(): void {
    const deadlineMs = this.machine.nextTimeoutMs();
    if (deadlineMs === null) return; // a pending timer that fires finds no deadline and does nothing
    if (this.timer !== null && this.timerAtMs <= deadlineMs) return;
    this.cancelTimer();
    this.timerAtMs = Math.max(this.sim.nowMs, Math.ceil(deadlineMs));
    this.timer = this.sim.at(this.timerAtMs, MachineSession.fireTimer, this as MachineSession<unknown>);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.sim.cancel(this.timer);
    this.timer = null;
    this.timerAtMs = Number.POSITIVE_INFINITY;
  }

  private static fireTimer(session: MachineSession<unknown>): void {
    session.timer = null;
    session.timerAtMs = Number.POSITIVE_INFINITY;
    if (!session.live()) return;
    const deadlineMs = session.machine.nextTimeoutMs();
    if (deadlineMs === null) return;
    if (deadlineMs > session.sim.nowMs) {
      session.armTimer();
      return;
    }
    session.machine.onTimeout(session.sim.nowMs);
    session.pump();
  }
}
