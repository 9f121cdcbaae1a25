/**
 * A real TCP socket (node:net), later upgraded to TLS (node:tls), dressed as the `StreamEndpoint` a
 * node's MachineSession drives — the same contract as the virtual network's Connection.
 *
 * Theory of operation. Socket events reach the node through the clock's `pulse`, so the simulator's
 * time is current when the machine sees the bytes. No protocol logic lives here: the machine decides
 * what to write, when to close, and when TLS starts. `startTls` waits until everything written so far
 * has been handed to the kernel (the "220 Ready to start TLS" / "+OK Begin TLS" must go out in the
 * clear, RFC 3207 §4, RFC 2595 §4), then wraps the socket — server side with the host's certificate,
 * client side (the relay) opportunistically without verifying (RFC 7435) — and calls `onReady` once the
 * handshake is done. A failed handshake closes the endpoint like a reset.
 * `end()` on a plain socket closes it once every byte written is in the kernel, as Postfix's smtpd
 * closes after its 221 (the kernel still sends what it holds, then FIN): the machine reads nothing more
 * after it ends, and waiting for the peer's FIN cost a shutdown() and, for a peer that closes with a
 * reset (smtp-source sets SO_LINGER 0), an ECONNRESET read that node:net turns into an error with a
 * stack — per connection (issue 21). Output still queued in node:net gets `lingerMs` to go out. On TLS
 * (whose close_notify must go out first) `end()` half-closes, and a peer that never closes its side is
 * cut after `lingerMs`. A TLS handshake that does not finish within `tlsHandshakeTimeoutMs` is cut too.
 * Socket events reach the endpoint through listeners shared by every endpoint (the socket carries its
 * endpoint), and the clock's `pulseWith`: no closure per connection or per event.
 * With a `durability` (a --maildir disk that commits in groups, fs-disk.ts), a write made in the same
 * event-loop turn as a disk mutation — the 250 to the final dot right after the queue commit — is held,
 * with everything written after it, until that mutation is durable (output commit, durability.ts).
 */
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import type { CloseReason, ConnectionHandlers, EndpointState } from '../net/connection.js';
import type { StreamEndpoint } from '../nodes/stream-endpoint.js';
import type { RealClock } from './clock.js';
import type { DurableSequence } from './durability.js';

/** How long a peer may keep its side open after we half-closed. */
export const lingerMs = 10_000;
/** Bound on one TLS handshake. */
export const tlsHandshakeTimeoutMs = 30_000;

export interface EndpointContext {
  readonly clock: RealClock;
  /**
   * Server side: the certificate (or its promise: a self-signed one is still being made — the client's
   * ClientHello is held meanwhile, and a peer that hangs up is closed at once). Client side: null
   * (opportunistic TLS, no verification).
   */
  readonly secureContext: SecureContext | Promise<SecureContext> | null;
  /** Called once, when the endpoint is closed for good. */
  readonly onClosed?: () => void;
  /** The peer's address when the caller has read it already (each read of node:net's is a getter call). */
  readonly remoteAddress?: string;
  /** The disk's durable sequence: output that depends on a mutation waits for it (see the top). */
  readonly durability?: DurableSequence | null;
}

/** Output held until the disk mutation it depends on is durable. */
interface HeldWrite {
  bytes: Uint8Array;
  /** The mutation number to wait for; 0 = none of its own (it only keeps its place in line). */
  seq: number;
}

export class SocketEndpoint implements StreamEndpoint {
  state: EndpointState = 'open';
  secure = false;
  readonly remoteAddress: string;
  private socket: Socket;
  private handlers: ConnectionHandlers | null = null;
  private ended = false;
  private closedNotified = false;
  private writesInFlight = 0;
  private whenFlushed: (() => void) | null = null;
  private linger: NodeJS.Timeout | null = null;
  /** Writes waiting for the disk, in order; once one waits, every later write queues behind it. */
  private held: HeldWrite[] = [];
  private waitingForDisk = false;
  /** `end()` came while writes were held: half-close after they went out. */
  private endAfterHeld = false;
  /** `end()` found every byte in the kernel but a write's callback still to come: close after it. */
  private closeWhenWritten = false;

  constructor(
    private readonly raw: Socket,
    private readonly ctx: EndpointContext,
  ) {
    this.socket = raw;
    this.remoteAddress = ctx.remoteAddress ?? raw.remoteAddress ?? '0.0.0.0';
    raw.setNoDelay(true);
    if (raw.listenerCount('error') === 0) raw.on('error', ignoreError);
    this.bind(raw);
  }

  get writable(): boolean {
    return this.state === 'open' && !this.ended;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  write(bytes: Uint8Array): void {
    if (this.state === 'closed' || bytes.length === 0) return;
    this.writesInFlight += 1; // held writes count too: STARTTLS waits for them as well
    const seq = this.ctx.durability?.neededNow() ?? 0;
    if (seq > 0 || this.held.length > 0) {
      this.held.push({ bytes, seq });
      this.waitForDisk();
      return;
    }
    this.send(bytes);
  }

  private send(bytes: Uint8Array): void {
    this.socket.write(bytes, this.onWritten);
  }

  /** One write handed to the kernel (one function for all writes: no closure per reply). */
  private readonly onWritten = (): void => {
    this.writesInFlight -= 1;
    if (this.writesInFlight === 0 && this.closeWhenWritten) {
      this.closeWhenWritten = false;
      process.nextTick(destroySocket, this.raw); // after node:net's own step that follows this callback
    }
    if (this.writesInFlight === 0 && this.whenFlushed !== null) {
      const next = this.whenFlushed;
      this.whenFlushed = null;
      next();
    }
  };

  end(): void {
    if (this.state === 'closed' || this.ended) return;
    this.ended = true;
    if (this.held.length > 0) {
      this.endAfterHeld = true;
      return;
    }
    this.halfClose();
  }

  private halfClose(): void {
    if (this.socket === this.raw) {
      // close() (see the top); 'close' follows, without an error. Not while node:net still has to run a
      // write's callback: a stream destroyed before that makes an ERR_STREAM_DESTROYED (with a stack).
      if (this.writesInFlight === 0) {
        this.raw.destroy();
        return;
      }
      this.closeWhenWritten = true;
      // Output still queued in node:net (the peer reads slowly): it has the linger bound to go out.
      if (this.raw.writableLength > 0) this.linger = setTimeout(() => this.destroy('closed'), lingerMs);
      return;
    }
    this.socket.end();
    this.linger = setTimeout(() => this.destroy('closed'), lingerMs);
  }

  reset(): void {
    if (this.state === 'closed') return;
    this.closedNotified = true; // like Connection.reset(): no callback to the caller itself
    this.markClosed();
    if (!this.raw.destroyed) this.raw.resetAndDestroy();
    if (this.socket !== this.raw) this.socket.destroy();
  }

  startTls(onReady: () => void): void {
    if (this.state !== 'open' || this.socket !== this.raw) throw new Error('startTls on an endpoint that is not open and plain');
    this.raw.pause();
    this.raw.removeAllListeners('data');
    this.raw.removeAllListeners('end');
    this.raw.removeAllListeners('close');
    this.raw.on('close', () => this.onSocketClose(true)); // until the TLS socket owns the stream
    const upgrade = (context: SecureContext | null) => {
      if (this.state === 'closed') return;
      const timer = setTimeout(() => this.destroy('reset'), tlsHandshakeTimeoutMs);
      const ready = () => {
        clearTimeout(timer);
        if (this.state === 'closed') return;
        this.secure = true;
        this.ctx.clock.pulse(onReady);
      };
      let secured: TLSSocket;
      if (context !== null) {
        secured = new TLSSocket(this.raw, { isServer: true, secureContext: context });
        secured.once('secure', ready);
      } else {
        secured = tlsConnect({ socket: this.raw, rejectUnauthorized: false });
        secured.once('secureConnect', ready);
      }
      secured.on('error', () => {});
      // A peer that hangs up before the handshake ends must not leave the timer holding the process
      // open (a shutdown then waited out the whole handshake bound).
      secured.once('close', () => clearTimeout(timer));
      this.raw.removeAllListeners('close');
      this.socket = secured;
      this.bind(secured);
    };
    const whenFlushed = () => {
      const context = this.ctx.secureContext;
      if (context instanceof Promise) this.awaitContext(context, upgrade);
      else upgrade(context);
    };
    if (this.writesInFlight === 0) whenFlushed();
    else this.whenFlushed = whenFlushed;
  }

  /**
   * While the certificate is still being made, the connection keeps reading: what the peer sends (its
   * ClientHello) is held and handed back to the TLS layer, and a peer that hangs up meanwhile is closed
   * at once rather than after the handshake bound.
   */
  private awaitContext(context: Promise<SecureContext>, upgrade: (context: SecureContext) => void): void {
    const early: Buffer[] = [];
    const hold = (chunk: Buffer) => early.push(chunk);
    const hangUp = () => this.destroy('reset');
    this.raw.on('data', hold);
    this.raw.once('end', hangUp);
    this.raw.resume();
    context.then(
      (ready) => {
        this.raw.off('data', hold);
        this.raw.off('end', hangUp);
        this.raw.pause();
        if (early.length > 0) this.raw.unshift(Buffer.concat(early));
        upgrade(ready);
      },
      () => this.destroy('reset'),
    );
  }

  /** Cuts the socket at once (shutdown, linger, handshake timeout); the node hears of it as `reason`. */
  destroy(reason: CloseReason): void {
    if (this.state === 'closed') return;
    if (reason === 'reset' && !this.raw.destroyed) this.raw.resetAndDestroy();
    this.socket.destroy();
    this.raw.destroy();
    this.onSocketClose(reason === 'reset');
  }

  /** Waits for the first held write's mutation, unless already waiting. */
  private waitForDisk(): void {
    const durability = this.ctx.durability;
    if (this.waitingForDisk || !durability) return;
    const first = this.held.find((write) => write.seq > 0);
    if (first === undefined) {
      this.releaseHeld();
      return;
    }
    this.waitingForDisk = true;
    durability.whenDurable(first.seq, () => {
      this.waitingForDisk = false;
      this.releaseHeld();
    });
  }

  /** Sends the held writes whose mutations are durable now, in order; waits again for the rest. */
  private releaseHeld(): void {
    if (this.state === 'closed') return;
    const durable = this.ctx.durability?.durable ?? Number.POSITIVE_INFINITY;
    let sent = 0;
    while (sent < this.held.length && this.held[sent]!.seq <= durable) {
      this.send(this.held[sent]!.bytes);
      sent += 1;
    }
    this.held.splice(0, sent);
    if (this.held.length > 0) this.waitForDisk();
    else if (this.endAfterHeld) {
      this.endAfterHeld = false;
      this.halfClose();
    }
  }

  private bind(socket: Socket): void {
    (socket as BoundSocket)[endpointOf] = this;
    socket.on('data', relayData);
    socket.on('end', relayEnd);
    socket.on('close', relayClose);
  }

  /** A socket event for the node, inside a pulse (static: no closure per event). */
  private static deliverData(endpoint: SocketEndpoint, bytes: Uint8Array): void {
    endpoint.handlers?.onData(bytes);
  }

  private static deliverEnd(endpoint: SocketEndpoint): void {
    endpoint.handlers?.onEnd();
  }

  private static deliverClose(endpoint: SocketEndpoint, hadError: boolean): void {
    endpoint.handlers?.onClose(hadError ? 'reset' : 'closed');
  }

  /** @internal The listeners below: a chunk of bytes from the socket. */
  socketData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.ctx.clock.pulseWith(SocketEndpoint.deliverData, this, bytes);
  }

  /** @internal The peer's FIN. */
  socketEnd(): void {
    if (this.state === 'closed') return;
    this.ctx.clock.pulseWith(SocketEndpoint.deliverEnd, this, undefined);
  }

  /** @internal The socket is gone (also called for the raw socket during a TLS upgrade). */
  onSocketClose(hadError: boolean): void {
    this.markClosed();
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.ctx.clock.pulseWith(SocketEndpoint.deliverClose, this, hadError);
  }

  private markClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = []; // never sent: the peer did not get these replies (a held 250 means "not accepted")
    if (this.linger !== null) clearTimeout(this.linger);
    this.linger = null;
    this.ctx.onClosed?.();
  }
}

/** Where a socket keeps its endpoint, for the listeners shared by every endpoint. */
const endpointOf = Symbol('mailsim.socketEndpoint');
type BoundSocket = Socket & { [endpointOf]?: SocketEndpoint };

function destroySocket(socket: Socket): void {
  socket.destroy();
}

function ignoreError(): void {
  // 'close' follows with hadError; nothing to do here
}

function relayData(this: BoundSocket, chunk: Buffer): void {
  this[endpointOf]?.socketData(chunk);
}

function relayEnd(this: BoundSocket): void {
  this[endpointOf]?.socketEnd();
}

function relayClose(this: BoundSocket, hadError: boolean): void {
  this[endpointOf]?.onSocketClose(hadError);
}
