/**
 * Issue 19 §1, outbound concurrency: after a restart serve used to open a connection per queued message
 * to its relay at once (276 of them). Its queue is the simulator's, so the relay is one destination
 * with Postfix's window (`concurrency-limit`, default 20) and all destinations together are held to
 * `process-limit` (Postfix `default_process_limit`, 100). Here 120 messages are queued while the relay
 * is unreachable, serve is restarted on the same --maildir with a relay that greets only after 300 ms,
 * and the relay counts the transactions in progress at once (from its greeting to its reply to the
 * final dot: inside the time the queue counts the delivery as running) and the connections open at once
 * (besides the running deliveries: sessions saying QUIT, and sessions parked in the connection cache,
 * which Postfix's scache keeps outside the process limit too).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort, serveInProcess, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const MESSAGES = 120;

/** A relay that greets after `greetingDelayMs`, takes every message, and counts its connections. */
async function slowRelay(greetingDelayMs: number): Promise<{ port: number; openMax: () => number; busyMax: () => number; delivered: () => number; close: () => Promise<void> }> {
  let open = 0;
  let openMax = 0;
  let busy = 0;
  let busyMax = 0;
  let delivered = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    open += 1;
    openMax = Math.max(openMax, open);
    socket.on('close', () => {
      open -= 1;
      sockets.delete(socket);
    });
    socket.on('error', () => {});
    let buffer = '';
    let inData = false;
    let inTransaction = false;
    const endTransaction = () => {
      if (!inTransaction) return;
      inTransaction = false;
      busy -= 1;
    };
    const timer = setTimeout(() => {
      inTransaction = true;
      busy += 1;
      busyMax = Math.max(busyMax, busy);
      socket.write('220 relay.test ESMTP\r\n');
    }, greetingDelayMs);
    socket.on('close', () => {
      clearTimeout(timer);
      endTransaction();
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          delivered += 1;
          endTransaction();
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (line.startsWith('EHLO')) socket.write('250-relay.test\r\n250 PIPELINING\r\n');
        else if (line.startsWith('DATA')) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (line.startsWith('QUIT')) socket.end('221 2.0.0 bye\r\n');
        else socket.write('250 2.0.0 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no relay port');
  return {
    port: address.port,
    openMax: () => openMax,
    busyMax: () => busyMax,
    delivered: () => delivered,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Serve with `queue` settings: queue 120 messages for a remote domain while the relay is down, then restart towards `relayPort`. */
async function restartWithQueue(queue: Record<string, unknown>, relayPort: number): Promise<{ queuedAfterMs: (ms: number) => Promise<number> }> {
  const dir = tempDir('mailsim-outbound-');
  cleanups.push(() => dir.remove());
  const scenario = join(dir.path, 'serve.json');
  writeFileSync(scenario, JSON.stringify({ name: 'outbound', hosts: { 'mail.example.test': { roles: ['mta'], domains: ['example.test'], users: { alice: 'secret' }, queue } } }));
  const maildir = join(dir.path, 'maildir');
  const input = { scenario: { file: scenario, host: 'mail.example.test' }, relay: true };
  const first = await serveInProcess(input, { maildir, relay: { host: '127.0.0.1', port: await freePort() } });
  const host = first.running.host;
  host.clock.pulse(() => {
    for (let i = 0; i < MESSAGES; i += 1) {
      host.queue.enqueue({
        messageId: `<m${i}@example.test>`,
        envelope: { from: 'alice@example.test', recipients: [{ address: `r${i}@remote.example`, dsn: { notify: null, orcpt: null } }], body: null, smtpUtf8: false, requireTls: false, dsn: { ret: null, envid: null } },
        message: new TextEncoder().encode(`Message-ID: <m${i}@example.test>\r\nSubject: ${i}\r\n\r\nbody ${i}\r\n`),
      });
    }
  });
  await eventually(() => host.queue.pendingRecipients().every((r) => r.status !== null), 10_000, 'the first attempts (relay unreachable)');
  await first.stop();
  const second = await serveInProcess(input, { maildir, relay: { host: '127.0.0.1', port: relayPort } });
  cleanups.push(() => second.stop());
  return {
    queuedAfterMs: async (ms) => {
      const deadline = Date.now() + ms;
      while (second.running.host.queue.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      return second.running.host.queue.size;
    },
  };
}

describe('outbound concurrency after a restart (issue 19 §1)', () => {
  it('queue.process-limit caps the connections to the relay, even when the destination window would allow more', async () => {
    const relay = await slowRelay(300);
    cleanups.push(() => relay.close());
    const serve = await restartWithQueue({ scan: '1s', min: '1s', max: '2s', concurrency: 50, 'concurrency-limit': 50, 'process-limit': 10 }, relay.port);
    expect(await serve.queuedAfterMs(30_000)).toBe(0);
    expect(relay.delivered()).toBe(MESSAGES);
    expect(relay.busyMax()).toBeLessThanOrEqual(10);
    expect(relay.busyMax()).toBeGreaterThan(1);
    expect(relay.openMax()).toBeLessThanOrEqual(20);
  }, 60_000);

  it('with the default limits, 120 reloaded messages never hold more than 20 connections (concurrency-limit)', async () => {
    const relay = await slowRelay(300);
    cleanups.push(() => relay.close());
    const serve = await restartWithQueue({ scan: '1s', min: '1s', max: '2s' }, relay.port);
    expect(await serve.queuedAfterMs(30_000)).toBe(0);
    expect(relay.delivered()).toBe(MESSAGES);
    expect(relay.busyMax()).toBeLessThanOrEqual(20);
    expect(relay.openMax()).toBeLessThanOrEqual(40);
  }, 60_000);
});

describe('a relay that never greets (issue 19 §1)', () => {
  it('is given up after timeouts.greeting (Postfix smtp_helo_timeout) on the real clock: the session is closed and the mail deferred', async () => {
    const relay = await slowRelay(3_600_000);
    cleanups.push(() => relay.close());
    const dir = tempDir('mailsim-greeting-');
    cleanups.push(() => dir.remove());
    const scenario = join(dir.path, 'serve.json');
    writeFileSync(scenario, JSON.stringify({ name: 'no greeting', hosts: { 'mail.example.test': { roles: ['mta'], domains: ['example.test'], timeouts: { greeting: '1s' } } } }));
    const serve = await serveInProcess({ scenario: { file: scenario, host: 'mail.example.test' }, relay: true }, { relay: { host: '127.0.0.1', port: relay.port } });
    cleanups.push(() => serve.stop());
    const host = serve.running.host;
    host.clock.pulse(() => {
      host.queue.enqueue({
        messageId: '<silent@example.test>',
        envelope: { from: 'alice@example.test', recipients: [{ address: 'r@remote.example', dsn: { notify: null, orcpt: null } }], body: null, smtpUtf8: false, requireTls: false, dsn: { ret: null, envid: null } },
        message: new TextEncoder().encode('Subject: x\r\n\r\nx\r\n'),
      });
    });
    const startedMs = Date.now();
    await eventually(() => host.queue.pendingRecipients().some((r) => r.status !== null), 10_000, 'the attempt to end');
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(900);
    expect(host.queue.pendingRecipients()[0]).toMatchObject({ status: '4.4.2' });
    await eventually(() => host.netHost.outbound.size === 0, 5_000, 'the silent session to be closed');
  }, 30_000);
});
