/**
 * What a node's machines need of a byte stream: the virtual network's `Connection` is one, and
 * `mailsim serve` (src/bridge) wraps real `node:net`/`node:tls` sockets as another, so the same
 * services and the same MachineSession drive both. Semantics are the Connection's (src/net/connection.ts):
 * ordered bytes each way, half-close, reset, a TLS upgrade whose `onReady` runs once the handshake is done.
 */
import type { ConnectFailure, ConnectionHandlers, EndpointState } from '../net/connection.js';
import type { ConnectOptions } from '../net/host.js';

export interface StreamEndpoint {
  readonly remoteAddress: string;
  readonly state: EndpointState;
  /** True while data can still be written (open, and end() not called). */
  readonly writable: boolean;
  /** True once the TLS handshake completed on this endpoint. */
  readonly secure: boolean;
  setHandlers(handlers: ConnectionHandlers): void;
  write(bytes: Uint8Array): void;
  /** Half-close. */
  end(): void;
  /** Abort: the peer sees a reset. */
  reset(): void;
  startTls(onReady: () => void): void;
}

/** What a host's services need of the machine they run on (the virtual network's `Host` is one). */
export interface ServiceHost {
  readonly address: string;
  readonly network: { hostByAddress(address: string): { readonly name: string } | undefined };
  listen(port: number, onAccept: (conn: StreamEndpoint) => void): unknown;
  /** Opens a connection; returns its id (the virtual network's is the one its `net.*` trace events carry). */
  connect(toAddress: string, port: number, options: ConnectOptions, callbacks: StreamConnectCallbacks): string;
}

export interface StreamConnectCallbacks {
  onConnected(conn: StreamEndpoint): void;
  onFailed(reason: ConnectFailure): void;
}
