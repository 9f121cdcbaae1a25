/**
 * `startServer(options)`: mailsim's SMTP, POP3 and IMAP machines on real loopback sockets, in the test's
 * own process, for tests of an application that sends (nodemailer) or reads (imapflow) mail — what
 * GreenMail's JUnit rule is for Java (docs/testing.md, "Application tests: startServer").
 *
 * Theory of operation. It is `mailsim serve` (`startServe`, src/bridge/server.ts, docs/reference.md §12)
 * with a test's defaults: every listener on a free port of 127.0.0.1 unless told otherwise (so test
 * files run in parallel), a short shutdown bound, and the host described in the scenario format's
 * syntax (server-options.ts). Around it: what the host files, kept and awaited (filed-messages.ts);
 * `inject` serves a scenario fault from now on, through serve's own fault schedule; `close()` is
 * idempotent and is also `Symbol.asyncDispose`, so `await using server = await startServer()` closes it.
 */
import type { ListenerKind, RunningServe } from '../bridge/server.js';
import { listenerSpecs, scheduleFaults, startServe } from '../bridge/server.js';
import { parseDuration } from '../schema/units.js';
import { FiledMessages, type FiledMessage, type MessageFilter } from './filed-messages.js';
import { type FaultItem, injectedFault, type ServedHost, type ServedHostOptions, servedHostOf } from './server-options.js';

/** Options of `startServer`: the host (server-options.ts) plus its sockets and lifetime. */
export interface StartServerOptions extends ServedHostOptions {
  /** `'auto'` (default): every listener on a free port. Or ports by listener; one not named gets a free port (`0`). */
  ports?: 'auto' | Partial<Record<ListenerKind, number>>;
  /** The address to listen on (default `127.0.0.1`). */
  listenAddress?: string;
  /** Keep mailboxes as real Maildir folders under this directory (as `mailsim serve --maildir`) instead of memory. */
  maildir?: string;
  /** Deliver mail for other domains to this real SMTP server (as `--relay-to`); without it such mail stays queued. */
  relayTo?: { host: string; port: number };
  /** Concurrent connections, all listeners together (default 100); one more gets the protocol's "busy" answer. */
  connectionsMax?: number;
  /** How long `close()` lets open sessions finish before it cuts them (default 1000 ms). */
  shutdownGraceMs?: number;
  /** The seed of the host's random streams (a `probability` fault draws from them). */
  seed?: number;
}

/** Options of `waitForMessage`. */
export interface WaitForMessageOptions {
  /** How long to wait: milliseconds, or a duration such as `'5s'` (docs/reference.md §1). Default 3000 ms. */
  timeoutMs?: number | string;
}

/** A user of the served host, for a client's login. */
export interface ServerUser {
  /** The login name (AUTH, POP3 USER, IMAP LOGIN); `name@domain` logs in too. */
  readonly name: string;
  /** Null for a user who only receives mail. */
  readonly password: string | null;
  /** `name@` each of the host's domains. */
  readonly addresses: readonly string[];
}

/** A running test server; see `startServer`. */
export interface TestServer extends AsyncDisposable {
  /** The port of each listener. With `tls: false` there are no implicit-TLS listeners: reading `smtps`, `pop3s` or `imaps` throws. */
  readonly ports: Readonly<Record<ListenerKind, number>>;
  /** The address the listeners are on. */
  readonly host: string;
  /** The served host's name (`mail.example.test`): the `host` of a fault, the name in its greeting. */
  readonly hostName: string;
  readonly users: readonly ServerUser[];
  /** The PEM of the server's TLS certificate, for a client that verifies it (`tls: { ca }`, servername `localhost`). */
  certificatePem(): Promise<string>;
  /** Everything filed into the host's mailboxes so far, one per recipient, in the order it landed. */
  messages(): Promise<FiledMessage[]>;
  /** The first message matching `filter`, filed already or later; rejects after the timeout, listing what did arrive. */
  waitForMessage(filter?: MessageFilter, options?: WaitForMessageOptions): Promise<FiledMessage>;
  /**
   * Serves a fault from now on, in the scenario format's syntax (docs/reference.md §6): `reply`, `drop`,
   * `corrupt` or `refuse`, with `at`/`until` counted from now (`at` defaults to now) and `host` defaulting to the
   * served host — e.g. `inject({ reply: { on: 'rcpt', code: 550, times: 1 } })`. Throws the loader's
   * located error for a malformed fault, and for one that cannot be served.
   */
  inject(fault: FaultItem): void;
  /** Stops the server and frees its ports; waiters still waiting are rejected. Calling it again does nothing. */
  close(): Promise<void>;
}

/** Default bound on `close()` letting open sessions finish. */
export const testShutdownGraceMsDefault = 1_000;
/** Default `waitForMessage` timeout. */
export const waitForMessageTimeoutMsDefault = 3_000;

/** Starts mailsim's mail servers on loopback sockets in this process. */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const relay = options.relayTo ?? null;
  const served = servedHostOf(options, relay !== null);
  const tls = typeof options.tls === 'object' ? options.tls : null;
  const running = await startServe({
    config: served.serve.config,
    faults: served.serve.faults,
    listenAddress: options.listenAddress ?? '127.0.0.1',
    ports: portsOf(options.ports ?? 'auto'),
    maildir: options.maildir ?? null,
    relay,
    certFile: tls?.certFile ?? null,
    keyFile: tls?.keyFile ?? null,
    shutdownGraceMs: options.shutdownGraceMs ?? testShutdownGraceMsDefault,
    ...(options.connectionsMax === undefined ? {} : { connectionsMax: options.connectionsMax }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  return testServer(running, served, relay !== null);
}

function testServer(running: RunningServe, served: ServedHost, relay: boolean): TestServer {
  const filed = new FiledMessages(running.host);
  const injected: FaultItem[] = [];
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      filed.close();
      await running.stop();
    })();
    return closing;
  };
  return {
    ports: portsRead(running),
    host: running.listeners[0]?.address ?? '127.0.0.1',
    hostName: served.hostName,
    users: served.serve.config.users.map((user) => ({ name: user.name, password: user.password, addresses: [...user.addresses] })),
    certificatePem: () => running.tls.then((identity) => identity.certificatePem),
    messages: () => filed.all(),
    waitForMessage: (filter = {}, waitOptions = {}) => filed.waitFor(filter, timeoutMsOf(waitOptions.timeoutMs)),
    inject(fault) {
      if (closing !== null) throw new Error('inject: the server is closed');
      const { spec, item } = injectedFault(served, injected, fault, relay);
      injected.push(item);
      running.host.clock.advance(); // the fault's `at` counts from now, not from the kernel's last step
      scheduleFaults(running.host, [spec]);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `'auto'` and every listener not named: port 0, a free one. */
function portsOf(ports: 'auto' | Partial<Record<ListenerKind, number>>): Record<ListenerKind, number> {
  const all = Object.fromEntries(Object.keys(listenerSpecs).map((kind) => [kind, 0])) as Record<ListenerKind, number>;
  return ports === 'auto' ? all : { ...all, ...ports };
}

/** The bound ports; a listener that is not open (no TLS) throws when read, naming why. */
function portsRead(running: RunningServe): Readonly<Record<ListenerKind, number>> {
  const ports = {} as Record<ListenerKind, number>;
  for (const kind of Object.keys(listenerSpecs) as ListenerKind[]) {
    const listener = running.listeners.find((candidate) => candidate.kind === kind);
    if (listener !== undefined) Object.defineProperty(ports, kind, { value: listener.port, enumerable: true });
    else
      Object.defineProperty(ports, kind, {
        enumerable: false,
        get: () => {
          throw new Error(`startServer: there is no ${kind} listener: the host does not offer TLS (tls: false)`);
        },
      });
  }
  return Object.freeze(ports);
}

function timeoutMsOf(timeout: number | string | undefined): number {
  if (timeout === undefined) return waitForMessageTimeoutMsDefault;
  const parsed = parseDuration(timeout);
  if (!parsed.ok) throw new TypeError(`waitForMessage: timeoutMs: ${parsed.message}`);
  return parsed.value;
}
