/**
 * The `ServiceHost` of a serve host: what its services believe is their network host.
 *
 * `listen(port)` records the node's accept handler under its usual port number (25, 587, 465, 110, 995,
 * 143, 993); the server (server.ts) binds the real listeners and hands each accepted socket to the
 * handler of its port. `connect` is the MTA's way out: the only address it can reach is the relay's
 * stand-in address (`relayAddress`, which the relay resolver gives the relay's name), and it reaches it
 * at the real `--relay-to HOST:PORT`, with the node's connect timeout on the real clock.
 */
import { connect as netConnect } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ConnectOptions } from '../net/host.js';
import type { ServiceHost, StreamConnectCallbacks, StreamEndpoint } from '../nodes/stream-endpoint.js';
import type { RealClock } from './clock.js';
import { SocketEndpoint } from './socket-endpoint.js';

/** The relay as the MTA sees it: a name the transport map points at, and a TEST-NET-2 address. */
export const relayHostName = 'relay.mailsim.invalid';
export const relayAddress = '198.51.100.25';

export interface RelayTarget {
  host: string;
  port: number;
}

export class SocketHost implements ServiceHost {
  readonly network = { hostByAddress: (_address: string): { readonly name: string } | undefined => undefined };
  readonly acceptors = new Map<number, (conn: StreamEndpoint) => void>();
  /**
   * A served `refuse` fault's windows per node port (docs/reference.md §6): while one is open, the
   * listener of that port resets every connection at once. Windows are counted, so overlapping ones compose.
   */
  private readonly refusals = new Map<number, number>();
  /** Outbound endpoints still open (for shutdown). */
  readonly outbound = new Set<SocketEndpoint>();
  /** Outbound connections opened so far. */
  private connections = 0;

  constructor(
    readonly address: string,
    private readonly clock: RealClock,
    private readonly relay: RelayTarget | null,
    private readonly clientTls: SecureContext | null = null,
  ) {}

  /** Opens a refusal window on a node port (`refuse`); returns its close (idempotent). */
  refuse(port: number): { undo(): void } {
    this.refusals.set(port, (this.refusals.get(port) ?? 0) + 1);
    let open = true;
    return {
      undo: () => {
        if (!open) return;
        open = false;
        const left = (this.refusals.get(port) ?? 1) - 1;
        if (left > 0) this.refusals.set(port, left);
        else this.refusals.delete(port);
      },
    };
  }

  /** Whether a `refuse` window is open on this node port. */
  refuses(port: number): boolean {
    return this.refusals.has(port);
  }

  listen(port: number, onAccept: (conn: StreamEndpoint) => void): { port: number; close(): void } {
    this.acceptors.set(port, onAccept);
    return { port, close: () => this.acceptors.delete(port) };
  }

  /** Returns the connection's id: `r1`, `r2` … in the order the MTA opened them (no trace names them). */
  connect(toAddress: string, _port: number, options: ConnectOptions, callbacks: StreamConnectCallbacks): string {
    const id = `r${++this.connections}`;
    const relay = this.relay;
    if (relay === null || toAddress !== relayAddress) {
      setImmediate(() => this.clock.pulse(() => callbacks.onFailed('refused')));
      return id;
    }
    const socket = netConnect({ host: relay.host, port: relay.port, allowHalfOpen: true });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      this.clock.pulse(() => callbacks.onFailed('timeout'));
    }, options.timeoutMs);
    socket.once('error', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.clock.pulse(() => callbacks.onFailed('refused'));
    });
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const endpoint: SocketEndpoint = new SocketEndpoint(socket, { clock: this.clock, secureContext: this.clientTls, onClosed: () => this.outbound.delete(endpoint) });
      this.outbound.add(endpoint);
      this.clock.pulse(() => callbacks.onConnected(endpoint));
    });
    return id;
  }
}
