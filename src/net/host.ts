/**
 * A machine on the virtual network: a name, an address, listeners, datagram bindings, and a
 * power state. Services run "on" a host by listening on it and by registering crash/boot hooks.
 *
 * Theory of operation. A host is up or down. Going down (Network.setDown) kills every endpoint of the
 * host (owners get onClose('host-down')), abandons its pending connects without callbacks, closes its
 * listeners and datagram bindings, then runs the crash hooks, in registration order: services drop
 * what they held only in memory. Coming up runs the boot hooks: services listen and bind again. Each
 * boot starts a new `bootEpoch`; anything tied to an older epoch is dead. The services of a mail host
 * set their timers through HostContext.after/at (src/nodes/host-context.ts), which drops a timer of
 * an older boot when it comes due.
 */
import { ActiveWindows } from '../sim/active-windows.js';
import type { Simulator } from '../sim/index.js';
import type { AcceptHandler, ConnectCallbacks, Connection } from './connection.js';

export type { AcceptHandler } from './connection.js';
export type DatagramHandler = (payload: unknown, fromAddress: string, fromPort: number) => void;

export interface Listener {
  readonly port: number;
  close(): void;
}

export interface DatagramBinding {
  readonly port: number;
  close(): void;
}

export interface ConnectOptions {
  /** Give up (onFailed('timeout')) when no answer came within this many ms (docs/reference.md §5.2 `connect`). */
  timeoutMs: number;
}

/** Ephemeral ports (RFC 6335 §6: 49152–65535), allocated round-robin per host. */
export const ephemeralPortMin = 49_152;
export const ephemeralPortMax = 65_535;

/** What a host asks of the network it is on (network.ts's Network). */
export interface HostNetwork {
  readonly sim: Simulator;
  startConnect(from: Host, toAddress: string, port: number, timeoutMs: number, callbacks: ConnectCallbacks): string;
  sendDatagram(from: Host, toAddress: string, toPort: number, payload: unknown, fromPort: number): void;
  /** The host that has this address, if any. */
  hostByAddress(address: string): Host | undefined;
}

export class Host {
  readonly name: string;
  readonly address: string;
  /** False while the host is powered off. */
  isUp = true;
  /** Increments at each crash, so stale listeners and bindings are recognisable. */
  bootEpoch = 0;

  /** @internal Live endpoints on this host, in creation order. */
  readonly connections = new Map<string, Connection>();
  /** @internal */
  readonly listeners = new Map<number, AcceptHandler>();
  /** @internal */
  readonly datagramBindings = new Map<number, DatagramHandler>();
  /** @internal Ports refused by a fault, with how many refuse faults hold each. */
  readonly refusedPorts = new Map<number, number>();
  /** @internal Probability that a new connection attempt to this host silently fails (from `flakyFaults`). */
  flakyProbability = 0;
  /** @internal The probabilities of the flaky faults in force. */
  readonly flakyFaults = new ActiveWindows<number>();
  /** @internal */
  readonly crashHooks: Array<() => void> = [];
  /** @internal */
  readonly bootHooks: Array<() => void> = [];

  /** The network this host is on (and through it, the simulator). */
  readonly network: HostNetwork;
  private nextEphemeralPort = ephemeralPortMin;

  constructor(net: HostNetwork, name: string, address: string) {
    this.network = net;
    this.name = name;
    this.address = address;
  }

  /** Accepts connections on `port`; `onAccept` must set the connection's handlers before returning. */
  listen(port: number, onAccept: AcceptHandler): Listener {
    checkPort(port);
    if (!this.isUp) throw new Error(`${this.name}: listen on port ${port} while the host is down`);
    if (this.listeners.has(port)) throw new Error(`${this.name}: port ${port} is already listening`);
    this.listeners.set(port, onAccept);
    this.network.sim.trace.record('net.listen', { host: this.name, port });
    const epoch = this.bootEpoch;
    return {
      port,
      close: () => {
        if (this.bootEpoch === epoch && this.listeners.get(port) === onAccept) this.listeners.delete(port);
      },
    };
  }

  /**
   * Opens a connection. It costs one round trip; the outcome is exactly one of onConnected(conn)
   * or onFailed('timeout' | 'refused') — unless this host crashes first, which abandons it silently.
   * Returns the connection's id (`c12`), as the trace's `net.*` events name it, whatever the outcome.
   */
  connect(toAddress: string, port: number, options: ConnectOptions, callbacks: ConnectCallbacks): string {
    checkPort(port);
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) throw new RangeError(`connect timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    if (!this.isUp) throw new Error(`${this.name}: connect while the host is down`);
    return this.network.startConnect(this, toAddress, port, options.timeoutMs, callbacks);
  }

  bindDatagram(port: number, handler: DatagramHandler): DatagramBinding {
    checkPort(port);
    if (!this.isUp) throw new Error(`${this.name}: bind port ${port} while the host is down`);
    if (this.datagramBindings.has(port)) throw new Error(`${this.name}: datagram port ${port} is already bound`);
    this.datagramBindings.set(port, handler);
    const epoch = this.bootEpoch;
    return {
      port,
      close: () => {
        if (this.bootEpoch === epoch && this.datagramBindings.get(port) === handler) this.datagramBindings.delete(port);
      },
    };
  }

  /** Sends a datagram (same latency as a segment; it vanishes when a host is down or partitioned). */
  sendDatagram(toAddress: string, toPort: number, payload: unknown, fromPort: number): void {
    checkPort(toPort);
    checkPort(fromPort);
    this.network.sendDatagram(this, toAddress, toPort, payload, fromPort);
  }

  /** An unused ephemeral port for a datagram socket or an outgoing connection. */
  allocateEphemeralPort(): number {
    const span = ephemeralPortMax - ephemeralPortMin + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.nextEphemeralPort;
      this.nextEphemeralPort = port === ephemeralPortMax ? ephemeralPortMin : port + 1;
      if (!this.datagramBindings.has(port) && !this.listeners.has(port)) return port;
    }
    throw new Error(`${this.name}: no free ephemeral port`);
  }

  /** Runs when the host goes down, after its endpoints were closed. */
  onCrash(hook: () => void): void {
    this.crashHooks.push(hook);
  }

  /** Runs when the host comes back up. */
  onBoot(hook: () => void): void {
    this.bootHooks.push(hook);
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`bad port ${port}`);
}
