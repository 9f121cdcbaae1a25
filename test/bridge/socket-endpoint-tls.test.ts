/**
 * An implicit-TLS endpoint whose certificate is still being made (serve makes a self-signed one in the
 * background while its listeners already accept): the client's ClientHello, sent at once, is held and
 * handed to the TLS layer when the certificate is ready, so the handshake completes; a client that hangs
 * up meanwhile is closed at once, not after the 30 s handshake bound.
 */
import { createServer, type Server, Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/bridge/clock.js';
import { SocketEndpoint } from '../../src/bridge/socket-endpoint.js';
import { makeSelfSignedIdentity } from '../../src/bridge/tls.js';
import { Simulator } from '../../src/sim/index.js';

const certificateDelayMs = 400;
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** A listener whose endpoints start implicit TLS with a certificate that arrives `certificateDelayMs` late. */
async function lateCertificateServer(): Promise<{ port: number; closedAtMs: number[]; secured: string[] }> {
  const identity = await makeSelfSignedIdentity('late.example.test');
  const clock = new RealClock(new Simulator({ seed: 1 }));
  const closedAtMs: number[] = [];
  const secured: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (raw) => {
    const late = new Promise<SecureContext>((resolve) => setTimeout(() => resolve(identity.context), certificateDelayMs));
    const endpoint = new SocketEndpoint(raw, { clock, secureContext: late, onClosed: () => closedAtMs.push(Date.now()) });
    endpoint.setHandlers({ onData: () => {}, onEnd: () => endpoint.end(), onClose: () => {} });
    endpoint.startTls(() => {
      secured.push('yes');
      endpoint.write(new TextEncoder().encode('220 late.example.test ready\r\n'));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, closedAtMs, secured };
}

describe('implicit TLS while the certificate is still being made', () => {
  it('a ClientHello sent at once still completes the handshake once the certificate is there', async () => {
    const { port, secured } = await lateCertificateServer();
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      socket.once('data', (data) => {
        resolve(data.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(greeting).toBe('220 late.example.test ready\r\n');
    expect(secured).toEqual(['yes']);
  });

  it('a client that hangs up before the certificate is there is closed at once', async () => {
    const { port, closedAtMs, secured } = await lateCertificateServer();
    const startedMs = Date.now();
    await new Promise<void>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => socket.end());
      socket.on('error', () => {}); // the server resets a connection it closes before the handshake
      socket.once('close', () => resolve());
      socket.connect(port, '127.0.0.1');
    });
    await new Promise((resolve) => setTimeout(resolve, certificateDelayMs + 200));
    expect(closedAtMs).toHaveLength(1);
    expect(closedAtMs[0]! - startedMs).toBeLessThan(certificateDelayMs);
    expect(secured).toEqual([]);
  });
});
