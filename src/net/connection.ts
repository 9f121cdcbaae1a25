/**
 * One endpoint of a TCP-like connection: an ordered, reliable byte stream each way, with half-close,
 * reset and a modelled TLS handshake. The network carries bytes; it knows nothing of SMTP.
 *
 * Theory of operation. Each endpoint owns the FIFO of segments travelling *to* it (`inbound`) and
 * the arrival time of the last one. Sending appends to the peer's FIFO and schedules one kernel
 * event whose argument is the peer endpoint itself (no allocation per segment): a segment arrives at
 * max(now + latency, previous arrival in that direction), so same-time arrivals keep their send
 * order through the kernel's (time, seq) ordering. Control segments (SYN-ACK, FIN, RST, TLS
 * markers) travel in the same FIFO as data, so "FIN after the data in flight" holds by construction.
 * Whether a segment crosses (host up, no partition) is decided by the Network on arrival.
 *
 * Lifecycle of an endpoint: 'connecting' (client, until SYN-ACK or failure) → 'open' → 'closed'.
 * It closes when both FINs have passed (onClose('closed')), when the peer resets it
 * (onClose('reset')), when its own host goes down (onClose('host-down')), or when its owner calls
 * reset() (no callback to the caller itself). A segment reaching a closed endpoint on a host that is
 * up answers with a reset, as a real stack does for an unknown connection.
 *
 * TLS (`startTls`), modelled as one round trip for the side that starts second. Both sides call
 * startTls(onReady) when their protocol says so (SMTP: the server right after writing "220 Ready to
 * start TLS", the client after reading it; RFC 3207 §4; implicit TLS, RFC 8314: both right after
 * connecting). startTls sends a HELLO marker; an endpoint that has sent HELLO and received the
 * peer's HELLO sends FINISHED; an endpoint that has sent FINISHED and received the peer's FINISHED
 * is ready: `secure` becomes true and onReady runs. For STARTTLS after the server's 220 (latency L):
 * the server is ready 2L after it called startTls, the client 2L after it did. Owners must not write
 * between startTls and onReady (the bytes would cross in the clear: they are delivered as-is).
 */
import type { PreparedPayloadEvent } from '../sim/trace.js';
import type { Simulator } from '../sim/index.js';
import type { Link } from './link.js';

export type CloseReason = 'closed' | 'reset' | 'host-down';
export type ConnectFailure = 'timeout' | 'refused';
export type ConnectionSide = 'client' | 'server';

export interface ConnectionHandlers {
  onData(bytes: Uint8Array): void;
  /** The peer half-closed: no more data will arrive (the peer may still read). */
  onEnd(): void;
  /** The connection is gone; nothing more arrives and writes are ignored. */
  onClose(reason: CloseReason): void;
}

export interface ConnectCallbacks {
  onConnected(conn: Connection): void;
  onFailed(reason: ConnectFailure): void;
}

/** Control segments share the data FIFO; data segments are the Uint8Arrays themselves. */
export const Control = { SynAck: 1, Fin: 2, Reset: 3, TlsHello: 4, TlsFinished: 5 } as const;
export type ControlSegment = (typeof Control)[keyof typeof Control];
export type Segment = Uint8Array | ControlSegment;

export type EndpointState = 'connecting' | 'open' | 'closed';

/** Bound on segments in flight towards one endpoint: a sender outrunning the network is a bug. */
export const inboundSegmentsMax = 1_000_000;

/** What accepts a connection on a listening port. */
export type AcceptHandler = (conn: Connection) => void;

/** The host at one end of a connection, as the network reads it (host.ts's Host). */
export interface EndpointHost {
  readonly name: string;
  readonly address: string;
  readonly isUp: boolean;
  /** Live endpoints on the host. */
  readonly connections: Map<string, Connection>;
  readonly listeners: ReadonlyMap<number, AcceptHandler>;
  readonly refusedPorts: ReadonlyMap<number, number>;
}

/** What a connection asks of the network that carries its segments (network.ts's Network). */
export interface SegmentCarrier {
  readonly sim: Simulator;
  sendSegment(from: Connection, segment: Segment): void;
  closeEndpointLater(conn: Connection, reason: CloseReason): void;
  killEndpoint(conn: Connection): void;
}

export class Connection {
  readonly id: string;
  readonly side: ConnectionSide;
  readonly host: EndpointHost;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The remote host, when the address belongs to one (else segments vanish). */
  readonly remoteHost: EndpointHost | undefined;
  state: EndpointState;
  /** True once the TLS handshake completed on this endpoint. */
  secure = false;

  /** @internal The other endpoint, once the server accepted. */
  peer: Connection | null = null;
  /** @internal One-way latency of this connection and the link version it was drawn for. */
  latencyMs: number;
  /** @internal The link between the two hosts (null for an unknown address), looked up once at connect. */
  readonly link: Link | null;
  /** @internal */
  linkVersion: number;
  /**
   * @internal Segments travelling to this endpoint: `inbound[inboundHead..inboundTail)`. Emptied by
   * index, never by length: setting an array's length to 0 frees its backing store, and every next
   * segment would allocate a new one (~150 bytes per segment).
   */
  inbound: Segment[] = [];
  /** @internal */
  inboundHead = 0;
  /** @internal */
  inboundTail = 0;
  /** @internal Arrival time of the last segment scheduled towards this endpoint. */
  lastArrivalMs = 0;
  /** @internal Pending connect: the callbacks and the timeout timer. */
  connect: { callbacks: ConnectCallbacks; timeoutTimer: number; port: number } | null = null;
  /** @internal */
  sentFin = false;
  /** @internal */
  receivedFin = false;
  /** @internal */
  tlsSentHello = false;
  /** @internal */
  tlsReceivedHello = false;
  /** @internal */
  tlsSentFinished = false;
  /** @internal */
  tlsOnReady: (() => void) | null = null;
  /** @internal */
  handlers: ConnectionHandlers | null = null;
  /** The `net.send` trace event of this endpoint without its time: the same for every segment it sends. */
  private sendEvent: PreparedPayloadEvent | null = null;

  private readonly net: SegmentCarrier;

  constructor(
    net: SegmentCarrier,
    init: {
      id: string;
      side: ConnectionSide;
      host: EndpointHost;
      localPort: number;
      remoteAddress: string;
      remotePort: number;
      remoteHost: EndpointHost | undefined;
      state: EndpointState;
      latencyMs: number;
      link: Link | null;
      linkVersion: number;
    },
  ) {
    this.net = net;
    this.id = init.id;
    this.side = init.side;
    this.host = init.host;
    this.localAddress = init.host.address;
    this.localPort = init.localPort;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
    this.remoteHost = init.remoteHost;
    this.state = init.state;
    this.latencyMs = init.latencyMs;
    this.link = init.link;
    this.linkVersion = init.linkVersion;
  }

  /** True while data can still be written (open, and end() not called). */
  get writable(): boolean {
    return this.state === 'open' && !this.sentFin;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  /**
   * Sends bytes to the peer. The network takes ownership of the array: do not modify it afterwards.
   * Writing after end() is a caller error (throws); writing to a connection the network already
   * closed (reset, host down) is ignored and traced, like EPIPE.
   */
  write(bytes: Uint8Array): void {
    if (this.sentFin) throw new Error(`${this.id}: write after end()`);
    if (this.state === 'connecting') throw new Error(`${this.id}: write before the connection is established`);
    if (this.state === 'closed') {
      this.net.sim.trace.record('net.write-closed', { conn: this.id, host: this.host.name, bytes: bytes.length });
      return;
    }
    if (bytes.length === 0) return;
    const trace = this.net.sim.trace;
    this.sendEvent ??= trace.preparePayload('net.send', { conn: this.id, from: this.host.name, side: this.side });
    trace.recordPayloadPrepared(this.sendEvent, bytes);
    this.net.sendSegment(this, bytes);
  }

  /** Half-close: the peer gets onEnd after the data already in flight. Idempotent. */
  end(): void {
    if (this.state === 'connecting') throw new Error(`${this.id}: end before the connection is established`);
    if (this.state === 'closed' || this.sentFin) return;
    this.sentFin = true;
    this.net.sim.trace.record('net.end', { conn: this.id, from: this.host.name });
    this.net.sendSegment(this, Control.Fin);
    if (this.receivedFin) this.net.closeEndpointLater(this, 'closed');
  }

  /** Aborts: the peer gets onClose('reset') one latency later; this endpoint closes at once, silently. */
  reset(): void {
    if (this.state === 'closed') return;
    if (this.state === 'connecting') throw new Error(`${this.id}: reset before the connection is established`);
    this.net.sim.trace.record('net.reset', { conn: this.id, from: this.host.name });
    this.net.sendSegment(this, Control.Reset);
    this.net.killEndpoint(this);
  }

  /** Starts this side's TLS handshake; `onReady` runs once it completes (see the header). */
  startTls(onReady: () => void): void {
    if (this.state !== 'open') throw new Error(`${this.id}: startTls on a connection that is not open`);
    if (this.tlsSentHello) throw new Error(`${this.id}: startTls called twice`);
    this.tlsSentHello = true;
    this.tlsOnReady = onReady;
    this.net.sim.trace.record('net.tls-start', { conn: this.id, host: this.host.name });
    this.net.sendSegment(this, Control.TlsHello);
    if (this.tlsReceivedHello) this.sendTlsFinished();
  }

  /** @internal */
  sendTlsFinished(): void {
    this.tlsSentFinished = true;
    this.net.sendSegment(this, Control.TlsFinished);
  }
}
