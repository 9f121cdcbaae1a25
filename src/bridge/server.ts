/**
 * `mailsim serve` as a library: binds the real listeners of one serve host and runs until `stop()`.
 *
 * Theory of operation. Each listener (docs/reference.md §12) is a node:net server whose sockets go, wrapped
 * as SocketEndpoints, to the accept handler the node registered for its usual port (smtp → 25,
 * submission → 587, smtps → 465, pop3 → 110, pop3s → 995, imap → 143, imaps → 993) — the node starts
 * TLS itself on the implicit-TLS ports, as it does in the simulator. The adapter adds only what sits in
 * front of a real server process:
 * - a cap on concurrent connections (`connectionsMax`): one more gets the protocol's "busy" answer and
 *   is closed — SMTP `421 4.3.2` (RFC 5321 §3.8, RFC 3463 X.3.2), POP3 `-ERR [SYS/TEMP]` (RFC 3206),
 *   IMAP `* BYE [UNAVAILABLE]` (RFC 5530) — after the TLS handshake on the implicit-TLS ports;
 * - under it, a cap per listener (`listenerConnectionsMax`, Postfix master.cf maxproc) and one per client
 *   address over all listeners (`clientConnectionsMax`, Postfix `smtpd_client_connection_count_limit`,
 *   kept by anvil), so one address cannot take every slot: over it SMTP gets `421 4.7.0` (RFC 3463
 *   X.7.0, as Postfix), POP3 `-ERR [SYS/TEMP]`, IMAP `* BYE [UNAVAILABLE]` (issue 19 §1);
 * - graceful shutdown: stop accepting, let open sessions finish for up to `shutdownGraceMs` while the
 *   clock keeps running, then cut what is left, and report what is still queued.
 * Idle timeouts, line and literal limits are the machines' own, on the real clock.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { type FaultSpec, faultHappens, kindOf } from '../faults/index.js';
import type { FaultTarget } from '../faults/kind.js';
import type { HostConfig } from '../nodes/config.js';
import type { PlaintextAuthPolicy } from '../nodes/host-context.js';
import { SocketEndpoint } from './socket-endpoint.js';
import { ServeHost } from './serve-host.js';
import type { RelayTarget } from './socket-host.js';
import { loadTlsFiles, makeSelfSignedIdentity, type TlsIdentity } from './tls.js';

export type ListenerKind = 'smtp' | 'submission' | 'smtps' | 'pop3' | 'pop3s' | 'imap' | 'imaps';

interface ListenerSpec {
  /** The port the node listens on in the simulator. */
  nodePort: number;
  defaultPort: number;
  protocol: 'smtp' | 'pop3' | 'imap';
  implicitTls: boolean;
}

/** In the order the LISTEN lines are printed. */
export const listenerSpecs: Readonly<Record<ListenerKind, ListenerSpec>> = {
  smtp: { nodePort: 25, defaultPort: 2525, protocol: 'smtp', implicitTls: false },
  submission: { nodePort: 587, defaultPort: 2587, protocol: 'smtp', implicitTls: false },
  smtps: { nodePort: 465, defaultPort: 2465, protocol: 'smtp', implicitTls: true },
  pop3: { nodePort: 110, defaultPort: 2110, protocol: 'pop3', implicitTls: false },
  pop3s: { nodePort: 995, defaultPort: 2995, protocol: 'pop3', implicitTls: true },
  imap: { nodePort: 143, defaultPort: 2143, protocol: 'imap', implicitTls: false },
  imaps: { nodePort: 993, defaultPort: 2993, protocol: 'imap', implicitTls: true },
};

/** Default cap on concurrent client connections, all listeners together. */
export const connectionsMaxDefault = 100;
/** Default cap per listener (Postfix `default_process_limit`, the maxproc of each master.cf service). */
export const listenerConnectionsMaxDefault = 100;
/** Default cap per client address, all listeners together (Postfix `smtpd_client_connection_count_limit`). */
export const clientConnectionsMaxDefault = 50;
/** Default bound on a graceful shutdown. */
export const shutdownGraceMsDefault = 3_000;
/** How often shutdown looks whether the open sessions are done. */
const shutdownPollMs = 20;

export interface ServeOptions {
  config: HostConfig;
  faults?: readonly FaultSpec[];
  /** Default 127.0.0.1. */
  listenAddress?: string;
  /** Real ports per listener; 0 = any free port. Missing: the default of docs/reference.md §12. */
  ports?: Partial<Record<ListenerKind, number>>;
  maildir?: string | null;
  relay?: RelayTarget | null;
  certFile?: string | null;
  keyFile?: string | null;
  connectionsMax?: number;
  /** Concurrent connections on one listener (default listenerConnectionsMaxDefault). */
  listenerConnectionsMax?: number;
  /** Concurrent connections from one client address (default clientConnectionsMaxDefault). */
  clientConnectionsMax?: number;
  shutdownGraceMs?: number;
  /** POP3/IMAP cleartext logins before TLS (mailbox-services.ts); default 'tls-or-loopback', Dovecot's `disable_plaintext_auth = yes`. */
  plaintextAuth?: PlaintextAuthPolicy;
  seed?: number;
}

export interface ServeListener {
  kind: ListenerKind;
  address: string;
  port: number;
}

export interface ServeStopResult {
  /** Recipients still in the queue (remote mail without `--relay-to`, or deferred by the relay). */
  queued: Array<{ queueId: string; messageId: string; address: string }>;
  /** Connections cut because they outlived the shutdown bound. */
  cut: number;
}

export interface RunningServe {
  readonly host: ServeHost;
  readonly listeners: readonly ServeListener[];
  /** The TLS identity (a self-signed one is made in the background while the listeners already accept). */
  readonly tls: Promise<TlsIdentity>;
  /** Open client connections now. */
  connectionCount(): number;
  stop(): Promise<ServeStopResult>;
}

const busyAnswers: Record<ListenerSpec['protocol'], string> = {
  smtp: '421 4.3.2 Too many connections, try again later\r\n',
  pop3: '-ERR [SYS/TEMP] Too many connections, try again later\r\n',
  imap: '* BYE [UNAVAILABLE] Too many connections, try again later\r\n',
};

/** Over the per-address cap: RFC 3463 X.7.0 (a policy refusal, as Postfix's anvil), RFC 3206, RFC 5530. */
const tooManyFromYouAnswers: Record<ListenerSpec['protocol'], string> = {
  smtp: '421 4.7.0 Too many connections from your address, try again later\r\n',
  pop3: '-ERR [SYS/TEMP] Too many connections from your address, try again later\r\n',
  imap: '* BYE [UNAVAILABLE] Too many connections from your address, try again later\r\n',
};

/** What the listeners, the busy answer and the shutdown share while serve runs. */
interface Serving {
  host: ServeHost;
  secureContext: Promise<SecureContext>;
  connectionsMax: number;
  listenerConnectionsMax: number;
  clientConnectionsMax: number;
  /** The client connections open now. */
  active: Set<SocketEndpoint>;
  /** Open connections per listener and per client address (entries at 0 are removed). */
  perListener: Map<ListenerKind, number>;
  perClient: Map<string, number>;
  servers: Server[];
  stopping: boolean;
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const certFile = options.certFile ?? null;
  const keyFile = options.keyFile ?? null;
  const tls = certFile !== null || keyFile !== null ? Promise.resolve(loadTlsFiles(certFile, keyFile)) : makeSelfSignedIdentity(options.config.name);
  const secureContext = tls.then((identity) => identity.context);
  secureContext.catch(() => {}); // a failed generation cuts every handshake that needed it (socket-endpoint.ts)
  const host = new ServeHost({ config: options.config, listenAddress, maildir: options.maildir ?? null, relay: options.relay ?? null, plaintextAuth: options.plaintextAuth ?? 'tls-or-loopback', ...(options.seed === undefined ? {} : { seed: options.seed }) });
  host.boot();
  scheduleFaults(host, options.faults ?? []);

  const serving: Serving = {
    host,
    secureContext,
    connectionsMax: options.connectionsMax ?? connectionsMaxDefault,
    listenerConnectionsMax: options.listenerConnectionsMax ?? listenerConnectionsMaxDefault,
    clientConnectionsMax: options.clientConnectionsMax ?? clientConnectionsMaxDefault,
    active: new Set(),
    perListener: new Map(),
    perClient: new Map(),
    servers: [],
    stopping: false,
  };
  let listeners: ServeListener[];
  try {
    listeners = await listenAll(serving, listenAddress, options.ports);
  } catch (error) {
    for (const server of serving.servers) server.close();
    host.shutDown();
    throw error;
  }
  return {
    host,
    listeners,
    tls,
    connectionCount: () => serving.active.size,
    stop: () => stopServing(serving, options.shutdownGraceMs ?? shutdownGraceMsDefault),
  };
}

/** Binds one listener per port the host serves; each accepted socket becomes an endpoint of the host's node. */
async function listenAll(serving: Serving, listenAddress: string, ports: ServeOptions['ports']): Promise<ServeListener[]> {
  const { host, active } = serving;
  const listeners: ServeListener[] = [];
  for (const [kind, spec] of Object.entries(listenerSpecs) as Array<[ListenerKind, ListenerSpec]>) {
    const accept = host.netHost.acceptors.get(spec.nodePort);
    if (accept === undefined) continue; // e.g. no implicit-TLS ports for a host with `tls: false`
    const server = createServer({ allowHalfOpen: true }, (raw) => {
      if (serving.stopping) {
        raw.destroy();
        return;
      }
      raw.on('error', () => {});
      if (host.netHost.refuses(spec.nodePort)) {
        raw.resetAndDestroy(); // a served `refuse` fault: the closest a listening socket gets to a refused connect
        return;
      }
      const client = raw.remoteAddress ?? ''; // read once: each read is a getter (a getpeername() the first time)
      const refusal = overLimit(serving, kind, client);
      if (refusal !== null) {
        answerBusy(serving, raw, spec, refusal);
        return;
      }
      const release = admit(serving, kind, client);
      const endpoint: SocketEndpoint = new SocketEndpoint(raw, {
        clock: host.clock,
        remoteAddress: client === '' ? '0.0.0.0' : client,
        secureContext: serving.secureContext,
        durability: host.durability,
        onClosed: () => {
          if (active.delete(endpoint)) release();
        },
      });
      active.add(endpoint);
      host.clock.pulseWith(handOver, accept, endpoint);
    });
    serving.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports?.[kind] ?? spec.defaultPort, listenAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new Error(`listener ${kind} has no TCP address`);
    listeners.push({ kind, address: listenAddress, port: bound.port });
  }
  return listeners;
}

/** Gives an accepted endpoint to the node's accept handler (inside a pulse, without a closure). */
function handOver(accept: (conn: SocketEndpoint) => void, endpoint: SocketEndpoint): void {
  accept(endpoint);
}

/** Which cap a new connection from `client` on `kind` would pass, or null when it may come in. */
function overLimit(serving: Serving, kind: ListenerKind, client: string): Record<ListenerSpec['protocol'], string> | null {
  if (serving.active.size >= serving.connectionsMax) return busyAnswers;
  if ((serving.perListener.get(kind) ?? 0) >= serving.listenerConnectionsMax) return busyAnswers;
  if ((serving.perClient.get(client) ?? 0) >= serving.clientConnectionsMax) return tooManyFromYouAnswers;
  return null;
}

/** Counts a connection in; the function returned counts it out (once). */
function admit(serving: Serving, kind: ListenerKind, client: string): () => void {
  const bump = <K>(counts: Map<K, number>, key: K, by: number) => {
    const next = (counts.get(key) ?? 0) + by;
    if (next <= 0) counts.delete(key);
    else counts.set(key, next);
  };
  bump(serving.perListener, kind, 1);
  bump(serving.perClient, client, 1);
  return () => {
    bump(serving.perListener, kind, -1);
    bump(serving.perClient, client, -1);
  };
}

/** Over a connection cap: the protocol's answer (after the TLS handshake on an implicit-TLS port), then close. */
function answerBusy(serving: Serving, raw: Socket, spec: ListenerSpec, answers: Record<ListenerSpec['protocol'], string>): void {
  const endpoint = new SocketEndpoint(raw, { clock: serving.host.clock, secureContext: serving.secureContext });
  endpoint.setHandlers({ onData: () => {}, onEnd: () => {}, onClose: () => {} });
  const answer = () => {
    endpoint.write(new TextEncoder().encode(answers[spec.protocol]));
    endpoint.end();
  };
  if (spec.implicitTls) endpoint.startTls(answer);
  else answer();
}

/** Stops accepting, lets open sessions and deliveries finish for up to `graceMs`, cuts the rest. */
async function stopServing(serving: Serving, graceMs: number): Promise<ServeStopResult> {
  const { host, active } = serving;
  serving.stopping = true;
  for (const server of serving.servers) server.close();
  const deadline = performance.now() + graceMs;
  const busy = () => {
    if (active.size > 0 || host.netHost.outbound.size > 0) return true;
    const next = host.sim.nextEventTimeMs();
    return next !== null && next <= host.clock.nowMs() + 1_000; // a delivery still stepping
  };
  while (busy() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, shutdownPollMs));
    host.clock.advance();
  }
  let cut = 0;
  for (const endpoint of [...active, ...host.netHost.outbound]) {
    cut += 1;
    endpoint.destroy('reset');
  }
  host.clock.advance();
  host.shutDown();
  return { queued: host.queue.pendingRecipients(), cut };
}

/**
 * The scenario's faults served on this host (kinds with `servedOn`, src/faults/), at `at` / `until`
 * counted from now. They act only inside the host's SMTP server or on its listeners: the rest of the target is not there.
 * Exported for `startServer`'s `inject` (src/testing/server.ts), which serves a fault from the moment it is given.
 */
export function scheduleFaults(host: ServeHost, faults: readonly FaultSpec[]): void {
  const startMs = host.sim.nowMs;
  for (const fault of faults) {
    const action = fault.action;
    host.sim.at(startMs + fault.atMs, () => {
      if (!faultHappens(fault, host.sim.rng)) return;
      const undo = kindOf(action).apply(action, servedTarget(host, fault.index));
      if (undo !== null && fault.untilMs !== null) host.sim.at(Math.max(startMs + fault.untilMs, host.sim.nowMs), undo);
    });
  }
  host.clock.advance();
}

/**
 * What a served fault may act on: the host's own SMTP server, its own listeners (`refuse`: a connection
 * to a refused port is reset at once) and the fault's own random stream (as in the simulator,
 * `fault:INDEX`), nothing of a network or DNS it does not simulate.
 */
export function servedTarget(host: ServeHost, index: number): FaultTarget {
  const absent = (what: string) => () => {
    throw new Error(`mailsim serve cannot apply a fault on the ${what}: only faults inside the SMTP server are served`);
  };
  return {
    power: absent('power of a host'),
    net: { refuse: (_host, port) => host.netHost.refuse(port), partition: absent('network'), setLinkLatency: absent('network'), setFlaky: absent('network') },
    dns: { setFault: absent('DNS'), replace: absent('DNS') },
    smtp: () => host.faults,
    random: () => host.sim.rng.stream(`fault:${index}`),
    after: absent('timeline of a fault process'),
  };
}
