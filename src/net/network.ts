/**
 * The virtual network: hosts, links with latency, TCP-like connections, datagrams, and faults
 * (issue 2; docs/reference.md §6). The network never knows about SMTP: it carries bytes.
 *
 * Theory of operation.
 * - Latency is per host pair (a "link", both directions): the default spec, or an override from
 *   `setLinkLatency`. A connection draws its one-way latency when it starts, from the link's stream
 *   `net:latency:<a>|<b>` (names sorted); if the link's spec changes, the next segment redraws it.
 *   Per-direction FIFO: a segment arrives at max(now + latency, previous arrival that way).
 * - Connect: the SYN reaches the target after one latency. There: a listener accepts (the server
 *   endpoint is created, onAccept runs, a SYN-ACK goes back, so the client's onConnected runs one
 *   round trip after connect); a closed or refused port sends a reset (onFailed('refused') after one
 *   round trip); a down, partitioned, unknown or flaky target drops it, and the client's timer fires
 *   onFailed('timeout') after timeoutMs. Flakiness is drawn at connect time from `net:flaky:<host>`.
 * - A segment crosses only if, when it arrives, its destination host is up and no active partition
 *   separates the two hosts; otherwise it vanishes (traced as net.drop). Nobody is told: as in TCP,
 *   peers find out by their own timeouts, or get a reset if they send to a rebooted host.
 * - Faults are methods that return a handle whose undo() reverts them, so a scenario can schedule
 *   both ends (`at`, `until`). setDown/setUp on a host already in that state does nothing.
 *
 * Trace kinds: net.host, net.listen, net.connect, net.accept, net.connected, net.refused,
 * net.connect-timeout, net.send (payload), net.end, net.reset, net.close, net.drop, net.write-closed,
 * net.tls-start, net.tls, net.dgram, net.dgram-drop, net.fault, net.fault-undone.
 */
import { ActiveWindows, type Simulator, type TraceFields } from '../sim/index.js';
import { type CloseReason, type ConnectCallbacks, Connection, Control, type EndpointHost, inboundSegmentsMax, type Segment } from './connection.js';
import { Host } from './host.js';
import type { Link } from './link.js';
import { describeLatency, drawLatencyMs, type LatencySpec, validateLatency } from './latency.js';

export interface NetworkOptions {
  latency: LatencySpec;
}

export interface FaultHandle {
  /** Reverts the fault. Idempotent. */
  undo(): void;
}

export interface PartitionHandle extends FaultHandle {
  /** Same as undo(). */
  heal(): void;
}


function settleFlaky(host: Host): void {
  let survives = 1;
  for (const probability of host.flakyFaults.values()) survives *= 1 - probability;
  host.flakyProbability = host.flakyFaults.size === 1 ? host.flakyFaults.latest()! : 1 - survives;
}

interface Datagram {
  from: Host;
  toAddress: string;
  toPort: number;
  fromPort: number;
  payload: unknown;
}

/** Bound on hosts, far above any scenario. */
export const hostsMax = 100_000;

export class Network {
  readonly sim: Simulator;
  private readonly defaultLatency: LatencySpec;
  private readonly hostsByName = new Map<string, Host>();
  private readonly hostsByAddress = new Map<string, Host>();
  private readonly links = new Map<string, Link>();
  /** Active partitions: each maps a named host to its group index. */
  private readonly partitions: Array<Map<EndpointHost, number>> = [];
  private nextConnectionNumber = 1;
  private readonly deliverBound = (endpoint: Connection) => this.deliverNext(endpoint);

  constructor(sim: Simulator, options: NetworkOptions) {
    this.sim = sim;
    this.defaultLatency = validateLatency(options.latency);
  }

  // ---- hosts ----

  addHost(name: string, address: string): Host {
    if (this.hostsByName.has(name)) throw new Error(`host ${name} already exists`);
    if (this.hostsByAddress.has(address)) throw new Error(`address ${address} already belongs to ${this.hostsByAddress.get(address)!.name}`);
    if (this.hostsByName.size >= hostsMax) throw new RangeError(`too many hosts (hostsMax ${hostsMax})`);
    const host = new Host(this, name, address);
    this.hostsByName.set(name, host);
    this.hostsByAddress.set(address, host);
    this.sim.trace.record('net.host', { host: name, address });
    return host;
  }

  host(name: string): Host {
    const host = this.hostsByName.get(name);
    if (host === undefined) throw new Error(`unknown host ${name}`);
    return host;
  }

  hostByAddress(address: string): Host | undefined {
    return this.hostsByAddress.get(address);
  }

  /** All hosts, in the order they were added. */
  hosts(): Host[] {
    return [...this.hostsByName.values()];
  }

  // ---- links and latency ----

  /** Configures the latency of one host pair (both directions), as the scenario's `network.links` does. */
  configureLinkLatency(a: Host | string, b: Host | string, spec: LatencySpec): void {
    validateLatency(spec);
    const hostA = this.resolve(a);
    const hostB = this.resolve(b);
    const link = this.link(hostA, hostB);
    link.configured = spec;
    this.settleLink(link);
    // Traced as before, when configuration and faults shared one setter (traces stay comparable).
    this.sim.trace.record('net.fault', { action: 'latency', a: hostA.name, b: hostB.name, latency: describeLatency(spec) });
  }

  /**
   * A latency fault on one host pair (both directions) until undo(). Overlapping faults on a pair
   * stack: the latest in force wins, and when it ends the one before it (or the configured latency)
   * applies again.
   */
  setLinkLatency(a: Host | string, b: Host | string, spec: LatencySpec): FaultHandle {
    const hostA = this.resolve(a);
    const hostB = this.resolve(b);
    validateLatency(spec);
    const link = this.link(hostA, hostB);
    const close = link.faults.add(spec);
    this.settleLink(link);
    return this.tracedFault({ action: 'latency', a: hostA.name, b: hostB.name, latency: describeLatency(spec) }, () => {
      close();
      this.settleLink(link);
    });
  }

  private settleLink(link: Link): void {
    link.override = link.faults.latest() ?? link.configured;
    link.version++;
  }

  /** The latency spec in force between two hosts. */
  linkLatency(a: Host | string, b: Host | string): LatencySpec {
    return this.link(this.resolve(a), this.resolve(b)).override ?? this.defaultLatency;
  }

  private link(a: EndpointHost, b: EndpointHost): Link {
    const key = a.name < b.name ? `${a.name}|${b.name}` : `${b.name}|${a.name}`;
    let link = this.links.get(key);
    if (link === undefined) {
      link = { override: null, configured: null, faults: new ActiveWindows<LatencySpec>(), version: 0, stream: this.sim.rng.stream(`net:latency:${key}`) };
      this.links.set(key, link);
    }
    return link;
  }

  private drawLatency(link: Link): number {
    return drawLatencyMs(link.override ?? this.defaultLatency, link.stream);
  }

  // ---- faults ----

  /** Powers a host off (see Host). undo() powers it on. */
  setDown(target: Host | string): FaultHandle {
    const host = this.resolve(target);
    if (host.isUp) {
      this.sim.trace.record('net.fault', { action: 'down', host: host.name });
      host.isUp = false;
      host.bootEpoch++;
      for (const conn of [...host.connections.values()]) {
        const wasOpen = conn.state === 'open';
        this.killEndpoint(conn);
        if (wasOpen) {
          this.sim.trace.record('net.close', { conn: conn.id, host: host.name, reason: 'host-down' });
          conn.handlers?.onClose('host-down');
        }
      }
      host.listeners.clear();
      host.datagramBindings.clear();
      for (const hook of host.crashHooks) hook();
    }
    return { undo: () => this.setUp(host) };
  }

  /** Powers a host on: its boot hooks run. undo() powers it off. */
  setUp(target: Host | string): FaultHandle {
    const host = this.resolve(target);
    if (!host.isUp) {
      host.isUp = true;
      this.sim.trace.record('net.fault', { action: 'up', host: host.name });
      for (const hook of host.bootHooks) hook();
    }
    return { undo: () => this.setDown(host) };
  }

  /** Connects to `port` on the host are refused (even if something listens). */
  refuse(target: Host | string, port: number): FaultHandle {
    const host = this.resolve(target);
    host.refusedPorts.set(port, (host.refusedPorts.get(port) ?? 0) + 1);
    return this.tracedFault({ action: 'refuse', host: host.name, port }, () => {
      const holds = (host.refusedPorts.get(port) ?? 1) - 1;
      if (holds <= 0) host.refusedPorts.delete(port);
      else host.refusedPorts.set(port, holds);
    });
  }

  /** Lifts every refuse fault on that port. */
  unrefuse(target: Host | string, port: number): void {
    const host = this.resolve(target);
    if (host.refusedPorts.delete(port)) this.sim.trace.record('net.fault-undone', { action: 'refuse', host: host.name, port });
  }

  /**
   * Hosts in different groups cannot reach each other; hosts not named reach everyone. Several
   * partitions may be active: a pair is cut if any of them cuts it.
   */
  partition(groups: ReadonlyArray<ReadonlyArray<Host | string>>): PartitionHandle {
    const groupOf = new Map<Host, number>();
    groups.forEach((group, index) => {
      for (const member of group) {
        const host = this.resolve(member);
        if (groupOf.has(host)) throw new Error(`host ${host.name} is in two partition groups`);
        groupOf.set(host, index);
      }
    });
    this.partitions.push(groupOf);
    const description = groups.map((group) => group.map((m) => this.resolve(m).name).join(',')).join(' | ');
    this.sim.trace.record('net.fault', { action: 'partition', groups: description });
    let healed = false;
    const heal = () => {
      if (healed) return;
      healed = true;
      this.partitions.splice(this.partitions.indexOf(groupOf), 1);
      this.sim.trace.record('net.fault-undone', { action: 'partition', groups: description });
    };
    return { undo: heal, heal };
  }

  /**
   * Each new connection attempt to the host times out with probability p. Overlapping flaky faults
   * are independent causes: an attempt survives only if it survives each, so the host's probability
   * is 1 − Π(1 − pᵢ) over the faults in force (one draw per attempt).
   */
  setFlaky(target: Host | string, probability: number): FaultHandle {
    const host = this.resolve(target);
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`flaky probability must be in [0, 1], got ${probability}`);
    const close = host.flakyFaults.add(probability);
    settleFlaky(host);
    return this.tracedFault({ action: 'flaky', host: host.name, probability }, () => {
      close();
      settleFlaky(host);
    });
  }

  /**
   * Traces a fault that was just applied and returns its handle: `undo` reverts it once (a second call
   * does nothing) and traces that too.
   */
  private tracedFault(fields: TraceFields, revert: () => void): FaultHandle {
    this.sim.trace.record('net.fault', fields);
    let undone = false;
    return {
      undo: () => {
        if (undone) return;
        undone = true;
        revert();
        this.sim.trace.record('net.fault-undone', fields);
      },
    };
  }

  /** True when a segment from a to b would cross now (b up, a up, no partition between them). */
  canReach(a: Host | string, b: Host | string): boolean {
    const from = this.resolve(a);
    const to = this.resolve(b);
    return from.isUp && to.isUp && this.pathOpen(from, to);
  }

  private pathOpen(a: EndpointHost, b: EndpointHost): boolean {
    if (a === b) return true;
    for (const groupOf of this.partitions) {
      const ga = groupOf.get(a);
      if (ga === undefined) continue;
      const gb = groupOf.get(b);
      if (gb !== undefined && gb !== ga) return false;
    }
    return true;
  }

  private resolve(target: Host | string): Host {
    return typeof target === 'string' ? this.host(target) : target;
  }

  // ---- connections ----

  /** @internal Host.connect; returns the connection's id. */
  startConnect(from: Host, toAddress: string, port: number, timeoutMs: number, callbacks: ConnectCallbacks): string {
    const target = this.hostsByAddress.get(toAddress);
    const link = target === undefined ? null : this.link(from, target);
    const latencyMs = link === null ? drawLatencyMs(this.defaultLatency, this.sim.rng.stream('net:latency:unknown')) : this.drawLatency(link);
    const id = `c${this.nextConnectionNumber++}`;
    const client = new Connection(this, {
      id,
      side: 'client',
      host: from,
      localPort: from.allocateEphemeralPort(),
      remoteAddress: toAddress,
      remotePort: port,
      remoteHost: target,
      state: 'connecting',
      latencyMs,
      link,
      linkVersion: link?.version ?? 0,
    });
    from.connections.set(id, client);
    const flakyDrop = target !== undefined && target.flakyProbability > 0 && this.sim.rng.stream(`net:flaky:${target.name}`).chance(target.flakyProbability);
    this.sim.trace.record('net.connect', { conn: id, from: from.name, to: toAddress, port, latencyMs, flakyDrop });
    const timeoutTimer = this.sim.after(timeoutMs, (conn: Connection) => this.connectTimedOut(conn), client);
    client.connect = { callbacks, timeoutTimer, port };
    if (!flakyDrop) this.sim.after(latencyMs, (conn: Connection) => this.synArrives(conn), client);
    return id;
  }

  private synArrives(client: Connection): void {
    const target = client.remoteHost;
    if (client.state !== 'connecting') return; // the client gave up or crashed meanwhile
    if (target === undefined || !target.isUp || !client.host.isUp || !this.pathOpen(client.host, target)) {
      this.sim.trace.record('net.drop', { conn: client.id, segment: 'syn', to: client.remoteAddress });
      return;
    }
    const port = client.remotePort;
    const onAccept = target.listeners.get(port);
    if (onAccept === undefined || target.refusedPorts.has(port)) {
      // RFC 9293 §3.10.7.1: a SYN to a closed port is answered with a reset.
      this.sim.trace.record('net.refuse', { conn: client.id, host: target.name, port });
      this.enqueue(client, Control.Reset, client.latencyMs);
      return;
    }
    const server = new Connection(this, {
      id: client.id,
      side: 'server',
      host: target,
      localPort: port,
      remoteAddress: client.host.address,
      remotePort: client.localPort,
      remoteHost: client.host,
      state: 'open',
      latencyMs: client.latencyMs,
      link: client.link, // the same host pair, so the same link
      linkVersion: client.linkVersion,
    });
    server.peer = client;
    client.peer = server;
    target.connections.set(server.id, server);
    this.sim.trace.record('net.accept', { conn: server.id, host: target.name, port });
    // The SYN-ACK goes first into the server→client FIFO, so anything onAccept writes follows it.
    this.sendSegment(server, Control.SynAck);
    onAccept(server);
    if (server.handlers === null && server.state === 'open') throw new Error(`${target.name}:${port}: onAccept did not set the connection's handlers`);
  }

  private connectTimedOut(client: Connection): void {
    if (client.state !== 'connecting') return;
    const callbacks = client.connect!.callbacks;
    this.sim.trace.record('net.connect-timeout', { conn: client.id, host: client.host.name });
    this.killEndpoint(client);
    callbacks.onFailed('timeout');
  }

  /** @internal Sends a segment from `from` to its peer (or, while connecting, nowhere). */
  sendSegment(from: Connection, segment: Segment): void {
    const to = from.peer;
    if (to === null) return;
    const link = from.link;
    if (link !== null && link.version !== from.linkVersion) {
      // The link's latency changed: this connection redraws (both endpoints share the new value).
      const latencyMs = this.drawLatency(link);
      from.latencyMs = to.latencyMs = latencyMs;
      from.linkVersion = to.linkVersion = link.version;
    }
    this.enqueue(to, segment, from.latencyMs);
  }

  private enqueue(to: Connection, segment: Segment, latencyMs: number): void {
    if (to.inboundTail - to.inboundHead >= inboundSegmentsMax) throw new RangeError(`${to.id}: more than inboundSegmentsMax segments in flight`);
    let arrivalMs = this.sim.nowMs + latencyMs;
    if (arrivalMs < to.lastArrivalMs) arrivalMs = to.lastArrivalMs;
    to.lastArrivalMs = arrivalMs;
    const inbound = to.inbound;
    if (to.inboundTail < inbound.length) inbound[to.inboundTail] = segment;
    else inbound.push(segment);
    to.inboundTail++;
    this.sim.at(arrivalMs, this.deliverBound, to);
  }

  private deliverNext(to: Connection): void {
    const inbound = to.inbound;
    const segment = inbound[to.inboundHead]!;
    inbound[to.inboundHead++] = 0 as Segment; // release the bytes for the collector
    if (to.inboundHead === to.inboundTail) {
      // Empty: start again at the front, keeping the array's capacity (connection.ts `inbound`).
      to.inboundHead = 0;
      to.inboundTail = 0;
    } else if (to.inboundHead >= 1024 && to.inboundHead * 2 >= to.inboundTail) {
      inbound.splice(0, to.inboundHead);
      to.inboundTail -= to.inboundHead;
      to.inboundHead = 0;
    }
    const source = to.remoteHost;
    if (source === undefined || !to.host.isUp || !this.pathOpen(source, to.host)) {
      this.sim.trace.record('net.drop', { conn: to.id, to: to.host.name, segment: segmentName(segment) });
      return;
    }
    if (to.state === 'closed') {
      // A stack answers a segment for a connection it does not know with a reset (RFC 9293 §3.10.7.1),
      // never a reset with a reset.
      if (segment !== Control.Reset && to.peer !== null && to.peer.state !== 'closed') {
        this.sim.trace.record('net.reset', { conn: to.id, from: to.host.name, cause: 'unknown-connection' });
        this.enqueue(to.peer, Control.Reset, to.latencyMs);
      }
      return;
    }
    if (typeof segment !== 'number') {
      if (to.handlers === null) throw new Error(`${to.id}: data arrived before setHandlers`);
      to.handlers.onData(segment);
      return;
    }
    switch (segment) {
      case Control.SynAck: {
        const pending = to.connect!;
        to.connect = null;
        this.sim.cancel(pending.timeoutTimer);
        to.state = 'open';
        this.sim.trace.record('net.connected', { conn: to.id, host: to.host.name });
        pending.callbacks.onConnected(to);
        if (to.handlers === null && to.state === 'open') throw new Error(`${to.id}: onConnected did not set the connection's handlers`);
        return;
      }
      case Control.Fin:
        to.receivedFin = true;
        to.handlers!.onEnd();
        if (to.sentFin && to.state === 'open') this.closeEndpoint(to, 'closed');
        return;
      case Control.Reset: {
        const pending = to.connect;
        this.killEndpoint(to);
        if (pending !== null) {
          this.sim.trace.record('net.refused', { conn: to.id, host: to.host.name });
          pending.callbacks.onFailed('refused');
        } else {
          this.sim.trace.record('net.close', { conn: to.id, host: to.host.name, reason: 'reset' });
          to.handlers!.onClose('reset');
        }
        return;
      }
      case Control.TlsHello:
        to.tlsReceivedHello = true;
        if (to.tlsSentHello && !to.tlsSentFinished) to.sendTlsFinished();
        return;
      case Control.TlsFinished: {
        to.secure = true;
        this.sim.trace.record('net.tls', { conn: to.id, host: to.host.name });
        const onReady = to.tlsOnReady;
        to.tlsOnReady = null;
        onReady?.();
        return;
      }
    }
  }

  /** @internal Closes an endpoint without telling its owner (reset by the owner, crash, failed connect). */
  killEndpoint(conn: Connection): void {
    if (conn.state === 'closed') return;
    if (conn.connect !== null) {
      this.sim.cancel(conn.connect.timeoutTimer);
      conn.connect = null;
    }
    conn.state = 'closed';
    conn.host.connections.delete(conn.id);
  }

  /** @internal The orderly close once both FINs passed; from end() it runs as its own event. */
  closeEndpointLater(conn: Connection, reason: CloseReason): void {
    this.sim.at(this.sim.nowMs, (c: Connection) => {
      if (c.state === 'open') this.closeEndpoint(c, reason);
    }, conn);
  }

  private closeEndpoint(conn: Connection, reason: CloseReason): void {
    this.killEndpoint(conn);
    this.sim.trace.record('net.close', { conn: conn.id, host: conn.host.name, reason });
    conn.handlers?.onClose(reason);
  }

  // ---- datagrams ----

  /** @internal Host.sendDatagram. */
  sendDatagram(from: Host, toAddress: string, toPort: number, payload: unknown, fromPort: number): void {
    const target = this.hostsByAddress.get(toAddress);
    const size = payload instanceof Uint8Array ? payload.length : null;
    this.sim.trace.record('net.dgram', { from: from.name, to: toAddress, port: toPort, size });
    if (!from.isUp || target === undefined) {
      this.sim.trace.record('net.dgram-drop', { from: from.name, to: toAddress, port: toPort });
      return;
    }
    const latencyMs = this.drawLatency(this.link(from, target));
    const datagram: Datagram = { from, toAddress, toPort, fromPort, payload };
    this.sim.after(latencyMs, (d: Datagram) => this.datagramArrives(d), datagram);
  }

  private datagramArrives(d: Datagram): void {
    const target = this.hostsByAddress.get(d.toAddress)!;
    const handler = target.datagramBindings.get(d.toPort);
    if (!target.isUp || !this.pathOpen(d.from, target) || handler === undefined) {
      // UDP to a closed port would get ICMP port-unreachable; resolvers treat it as a timeout anyway.
      this.sim.trace.record('net.dgram-drop', { from: d.from.name, to: d.toAddress, port: d.toPort });
      return;
    }
    handler(d.payload, d.from.address, d.fromPort);
  }
}

function segmentName(segment: Segment): string {
  if (typeof segment !== 'number') return 'data';
  switch (segment) {
    case Control.SynAck:
      return 'syn-ack';
    case Control.Fin:
      return 'fin';
    case Control.Reset:
      return 'rst';
    case Control.TlsHello:
      return 'tls-hello';
    default:
      return 'tls-finished';
  }
}
