/**
 * `mailsim serve --http PORT` (docs/reference.md §12, docs/http-api.md): the HTTP API and web UI of a
 * running serve host, on a node:http server made by @hono/node-server.
 *
 * Theory of operation. The API reads and changes the host's mail store and fault book through the
 * host's clock pulse, like a socket event (captured.ts), so SMTP intake and the API interleave on one
 * event loop and neither blocks the other. It binds 127.0.0.1 unless told otherwise (`--http-bind`).
 * `close()` ends open event streams and blocking waits, then the listener.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ServeHost } from '../bridge/serve-host.js';
import { buildApp, type HttpAuth } from './app.js';
import { makeServices } from './services.js';

/** Mailpit's HTTP port, so a test suite written for Mailpit finds mailsim where it looked. */
export const httpPortDefault = 8025;

export interface HttpApiOptions {
  host: ServeHost;
  port?: number;
  /** Default 127.0.0.1. */
  bind?: string;
  auth?: HttpAuth | null;
  maildir?: string | null;
}

export interface RunningHttpApi {
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpApi(options: HttpApiOptions): Promise<RunningHttpApi> {
  const services = makeServices(options.host, options.maildir ?? null);
  const app = buildApp(services, options.auth ?? null);
  const bind = options.bind ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const made = serve({ fetch: app.fetch, port: options.port ?? httpPortDefault, hostname: bind }, () => resolve(made as Server)) as Server;
    made.once('error', reject);
  });
  const bound = server.address() as AddressInfo;
  return {
    address: bind,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `--http-auth USER:PASS`. */
export function parseHttpAuth(text: string): HttpAuth {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`--http-auth wants USER:PASSWORD, got ${JSON.stringify(text)}`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
