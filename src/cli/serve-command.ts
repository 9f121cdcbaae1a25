/**
 * `mailsim serve` (docs/reference.md §12): parses the options, starts the serve host (src/bridge), prints one
 * `LISTEN <kind> <address>:<port>` line per listener, serves until SIGINT/SIGTERM, then shuts down
 * gracefully (bounded), prints one `QUEUED <queue id> <message-id> <recipient>` line per recipient still
 * queued, and exits 0. Bad options exit 2 with a message on stderr.
 */
import { buildServeConfig } from '../bridge/config.js';
import { type ListenerKind, listenerSpecs, type RunningServe, startServe } from '../bridge/server.js';
import { isScenarioError } from '../scenario/errors.js';
import { parseHttpAuth, type RunningHttpApi, startHttpApi } from '../http/api.js';

export interface ServeCommandOptions {
  listen: string;
  smtp?: string;
  submission?: string;
  smtps?: string;
  pop3?: string;
  pop3s?: string;
  imap?: string;
  imaps?: string;
  domain: string[];
  user: string[];
  scenario?: string;
  host?: string;
  maildir?: string;
  relayTo?: string;
  /** `--catch-all [USER]`: true without a user. */
  catchAll?: string | true;
  cert?: string;
  key?: string;
  maxConnections?: string;
  maxListenerConnections?: string;
  maxClientConnections?: string;
  /** `--http PORT`, or false for `--no-http`. */
  http?: string | false;
  httpBind?: string;
  httpAuth?: string;
  allowPlaintextAuth?: boolean;
}

export const EXIT_SERVE_OK = 0;
export const EXIT_SERVE_BAD_INPUT = 2;

export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  let running: RunningServe;
  try {
    if ((options.scenario === undefined) !== (options.host === undefined)) throw new Error('--scenario and --host go together');
    const relay = options.relayTo === undefined ? null : parseHostPort(options.relayTo);
    const { config, faults } = buildServeConfig({
      domains: options.domain,
      users: options.user,
      scenario: options.scenario !== undefined && options.host !== undefined ? { file: options.scenario, host: options.host } : null,
      relay: relay !== null,
      ...(options.catchAll === undefined ? {} : { catchAll: options.catchAll }),
    });
    const ports: Partial<Record<ListenerKind, number>> = {};
    for (const kind of Object.keys(listenerSpecs) as ListenerKind[]) {
      const value = options[kind];
      if (value !== undefined) ports[kind] = parsePort(value, `--${kind}`);
    }
    running = await startServe({
      config,
      faults,
      listenAddress: options.listen,
      ports,
      maildir: options.maildir ?? null,
      relay,
      certFile: options.cert ?? null,
      keyFile: options.key ?? null,
      plaintextAuth: options.allowPlaintextAuth === true ? 'allowed' : 'tls-or-loopback',
      ...(options.maxConnections === undefined ? {} : { connectionsMax: parsePositive(options.maxConnections, '--max-connections') }),
      ...(options.maxListenerConnections === undefined ? {} : { listenerConnectionsMax: parsePositive(options.maxListenerConnections, '--max-listener-connections') }),
      ...(options.maxClientConnections === undefined ? {} : { clientConnectionsMax: parsePositive(options.maxClientConnections, '--max-client-connections') }),
    });
  } catch (error) {
    return badInput(error);
  }
  let http: RunningHttpApi | null = null;
  try {
    if (options.http !== false && options.http !== undefined) {
      const auth = options.httpAuth === undefined ? null : parseHttpAuth(options.httpAuth);
      http = await startHttpApi({ host: running.host, port: parsePort(options.http, '--http'), bind: options.httpBind ?? '127.0.0.1', auth, maildir: options.maildir ?? null });
    }
  } catch (error) {
    await running.stop();
    return badInput(error);
  }
  // Listen for SIGINT/SIGTERM before announcing the listeners: a client that signals as soon as it has
  // read the LISTEN lines must reach our handler, not the default one that kills the process.
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    whenLauncherGone(() => {
      process.stderr.write('mailsim serve: the npm/npx process that started it is gone; stopping\n');
      onSignal();
    });
  });
  // Whoever read our output may be gone (a stopped npx): a write to the closed pipe must not crash the shutdown.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  for (const listener of running.listeners) process.stdout.write(`LISTEN ${listener.kind} ${listener.address}:${listener.port}\n`);
  if (http !== null) process.stdout.write(`LISTEN http ${http.address}:${http.port}\n`);
  running.tls.then(
    (identity) => identity.selfSigned && process.stderr.write('mailsim serve: TLS uses a self-signed certificate made at start (clients must not verify it)\n'),
    (error: unknown) => process.stderr.write(`mailsim serve: no TLS certificate: ${error instanceof Error ? error.message : String(error)}\n`),
  );

  await stopRequested;
  await http?.close();
  const result = await running.stop();
  for (const item of result.queued) process.stdout.write(`QUEUED ${item.queueId} ${item.messageId} ${item.address}\n`);
  process.stderr.write(`mailsim serve: stopped (${result.queued.length} recipient(s) still queued, ${result.cut} connection(s) cut)\n`);
  return EXIT_SERVE_OK;
}

/** How often a serve started by npm/npx looks whether that process is still its parent. */
const launcherPollMs = 500;

/**
 * Started by `npx mailsim serve` (or an npm script), the server belongs to that npm process: npm,
 * when signalled, re-raises the signal on itself and exits without waiting for its child, so the
 * server would keep its ports open with nobody to stop it. It watches its parent instead and stops
 * as on SIGTERM once it has been re-parented. Started any other way (a shell, nohup, a service
 * manager) it runs until it is signalled, as a daemon should; npm marks its children with
 * `npm_command` in the environment.
 */
function whenLauncherGone(onGone: () => void): void {
  if (process.env.npm_command === undefined) return;
  const launcher = process.ppid;
  if (launcher <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    onGone();
  }, launcherPollMs);
  timer.unref();
}

function badInput(error: unknown): number {
  const message = isScenarioError(error) ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`mailsim serve: ${message}\n`);
  return EXIT_SERVE_BAD_INPUT;
}

function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new Error(`${flag} wants a port number 0-65535, got ${JSON.stringify(text)}`);
  return port;
}

function parsePositive(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new Error(`${flag} wants a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function parseHostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new Error(`--relay-to wants HOST:PORT, got ${JSON.stringify(text)}`);
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsePort(text.slice(colon + 1), '--relay-to') };
}
