/**
 * How a `mailsim serve` endpoint ends (src/bridge/socket-endpoint.ts): once the machine has ended and
 * every byte it wrote is in the kernel, the socket is closed at once (as Postfix's smtpd closes after its
 * 221), not half-closed while waiting for the peer's FIN — so a peer that keeps its side open does not
 * hold the connection for the linger bound, and a peer that closes with a reset (smtp-source's
 * SO_LINGER 0) is not read as an error. Output still queued in node:net goes out in full first.
 */
import { createServer, type Server, Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { CloseReason } from '../../src/net/connection.js';
import { RealClock } from '../../src/bridge/clock.js';
import { SocketEndpoint } from '../../src/bridge/socket-endpoint.js';
import { Simulator } from '../../src/sim/index.js';

const servers: Server[] = [];
const clients: Socket[] = [];
afterAll(() => {
  for (const client of clients) client.destroy();
  for (const server of servers) server.close();
});

interface Seen {
  port: number;
  closes: CloseReason[];
  closed: Promise<void>;
}

/** A listener whose endpoints answer `reply` to the first bytes they get, then end(). */
async function replyThenEnd(reply: Uint8Array): Promise<Seen> {
  const clock = new RealClock(new Simulator({ seed: 1 }));
  const closes: CloseReason[] = [];
  let closedResolve = () => {};
  const closed = new Promise<void>((resolve) => {
    closedResolve = resolve;
  });
  const server = createServer({ allowHalfOpen: true }, (raw) => {
    const endpoint = new SocketEndpoint(raw, { clock, secureContext: null, onClosed: () => closedResolve() });
    endpoint.setHandlers({
      onData: () => {
        endpoint.write(reply);
        endpoint.end();
      },
      onEnd: () => {},
      onClose: (reason) => closes.push(reason),
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, closes, closed };
}

/** Connects, sends QUIT, collects what comes back until the server's FIN; the client's own side stays open. */
async function quit(port: number, onReply?: (client: Socket) => void): Promise<{ bytes: number; text: string }> {
  const client = new Socket({ allowHalfOpen: true });
  clients.push(client);
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      onReply?.(client);
    });
    client.on('end', () => resolve());
    client.on('close', () => resolve());
    client.on('error', () => {});
  });
  client.connect(port, '127.0.0.1', () => client.write('QUIT\r\n'));
  await done;
  const all = Buffer.concat(chunks);
  return { bytes: all.length, text: all.subarray(0, 32).toString('latin1') };
}

const within = <T>(ms: number, what: Promise<T>): Promise<T | 'timed out'> =>
  Promise.race([what, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);

describe('SocketEndpoint.end on a plain socket', () => {
  it('closes at once after its last reply, while the peer keeps its side open', async () => {
    const seen = await replyThenEnd(new TextEncoder().encode('221 2.0.0 Bye\r\n'));
    const got = await quit(seen.port);
    expect(got.text).toBe('221 2.0.0 Bye\r\n');
    // The client never closed its side: a half-closed endpoint would wait for it (lingerMs, 10 s).
    expect(await within(2_000, seen.closed)).toBeUndefined();
    await within(500, new Promise((resolve) => setTimeout(resolve, 50)));
    expect(seen.closes).toEqual(['closed']);
  });

  it('a peer that resets as soon as it has the reply is a clean close, not a reset', async () => {
    const seen = await replyThenEnd(new TextEncoder().encode('221 2.0.0 Bye\r\n'));
    const got = await quit(seen.port, (client) => client.resetAndDestroy());
    expect(got.text).toBe('221 2.0.0 Bye\r\n');
    expect(await within(2_000, seen.closed)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.closes).toEqual(['closed']);
  });

  it('output still queued in node:net goes out in full before the close', async () => {
    const big = new Uint8Array(16 * 1024 * 1024).fill(0x61);
    const seen = await replyThenEnd(big);
    const got = await quit(seen.port);
    expect(got.bytes).toBe(big.length);
    expect(await within(5_000, seen.closed)).toBeUndefined();
  });
});
