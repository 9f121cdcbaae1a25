/**
 * What a real server must survive (issue 7): a cap on concurrent connections (421 4.3.2 / -ERR [SYS/TEMP]
 * / * BYE when full), idle timeouts on the real clock (a slowloris client is cut by the machine's own
 * deadline), line and literal limits (the machines' replies, no crash), TLS garbage on an implicit-TLS
 * port, and a bounded graceful shutdown that cuts what is left.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { eventually, RawClient, serveCli, serveInProcess, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Connects to a port and hangs up at once: with a FIN (`end`) or a reset (`destroy`). */
function hangUp(port: number, how: 'end' | 'destroy'): Promise<void> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (how === 'end' ? socket.end() : socket.destroy()));
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
    socket.connect(port, '127.0.0.1');
  });
}

describe('robustness on real sockets', () => {
  it('a client that hangs up on an implicit-TLS port before the handshake does not bring serve down', async () => {
    // It used to: the machine got end-of-input before it had started, and serve died with a stack trace.
    const serve = await serveCli();
    cleanups.push(() => void serve.stop());
    // Right after start the self-signed certificate may still be in the making: a peer that hangs up
    // then is closed at once too (it used to wait out the 30 s handshake bound).
    const startedMs = Date.now();
    await hangUp(serve.ports.smtps, 'end');
    expect(Date.now() - startedMs).toBeLessThan(5_000);
    await eventually(() => /self-signed certificate/.test(serve.stderr()), 30_000, 'the TLS certificate');
    for (const kind of ['smtps', 'pop3s', 'imaps'] as const) {
      await hangUp(serve.ports[kind], 'end');
      await hangUp(serve.ports[kind], 'destroy');
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(serve.child.exitCode, serve.stderr()).toBeNull();
    const plain = await RawClient.connect(serve.ports.smtp);
    await plain.waitFor(/^220 /);
    plain.close();
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ port: serve.ports.smtps, host: '127.0.0.1', rejectUnauthorized: false }, () => socket.once('data', (data) => resolve(data.toString())));
      socket.once('error', reject);
      socket.once('data', () => socket.end());
    });
    expect(greeting).toMatch(/^220 /);
    expect(serve.stderr()).not.toMatch(/Error|at .*\.ts:\d+/);
    // …and it stops at once: the handshake timers of the hung-up connections no longer hold it open.
    expect(await serve.stop(5_000)).toBe(0);
  }, 60_000);

  it('caps concurrent connections: the next one gets the protocol’s busy answer and is closed', async () => {
    const serve = await serveInProcess({}, { connectionsMax: 2 });
    cleanups.push(() => serve.stop());
    const held = [await RawClient.connect(serve.ports.smtp), await RawClient.connect(serve.ports.imap)];
    await held[0]!.waitFor(/^220 /);
    await held[1]!.waitFor(/^\* OK/);
    for (const [port, answer] of [
      [serve.ports.smtp, /^421 4\.3\.2 /],
      [serve.ports.pop3, /^-ERR \[SYS\/TEMP\] /],
      [serve.ports.imap, /^\* BYE \[UNAVAILABLE\] /],
    ] as const) {
      const extra = await RawClient.connect(port);
      await extra.waitFor(answer);
      await extra.waitClosed();
    }
    for (const client of held) client.close();
    await eventually(() => serve.running.connectionCount() === 0, 2_000, 'the held connections to go');
    const again = await RawClient.connect(serve.ports.smtp);
    await again.waitFor(/^220 /);
    again.close();
  });

  it('idle timeout on the real clock: a silent client gets 421 and is cut (scenario timeouts.server-idle)', async () => {
    const dir = tempDir('mailsim-idle-');
    cleanups.push(() => dir.remove());
    const file = join(dir.path, 'idle.yaml');
    writeFileSync(file, 'name: short idle\nhosts:\n  mail.example.test:\n    domains: [example.test]\n    users: { alice: secret }\n    timeouts: { server-idle: 1s }\n');
    const serve = await serveInProcess({ scenario: { file, host: 'mail.example.test' } });
    cleanups.push(() => serve.stop());
    const client = await RawClient.connect(serve.ports.smtp);
    const started = Date.now();
    await client.waitFor(/^220 /);
    client.write('EHLO slow.example\r\n');
    await client.waitFor(/^250 /m);
    await client.waitFor(/^421 /m, 5_000);
    await client.waitClosed(5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('an over-long SMTP line and a huge IMAP literal get the machine’s error, and the server keeps serving', async () => {
    const serve = await serveInProcess();
    cleanups.push(() => serve.stop());
    const smtp = await RawClient.connect(serve.ports.smtp);
    await smtp.waitFor(/^220 /);
    smtp.write(`EHLO ${'x'.repeat(100_000)}\r\n`);
    await smtp.waitFor(/^5\d\d /m);
    smtp.close();
    const imap = await RawClient.connect(serve.ports.imap);
    await imap.waitFor(/^\* OK/);
    imap.write('a1 LOGIN {4000000000}\r\n');
    await imap.waitFor(/^(a1 (NO|BAD)|\* BYE) /m);
    imap.close();
    const tlsGarbage = await RawClient.connect(serve.ports.imaps);
    tlsGarbage.write('this is not a TLS ClientHello\r\n'.repeat(10));
    await tlsGarbage.waitClosed();
    const fine = await RawClient.connect(serve.ports.pop3);
    await fine.waitFor(/^\+OK/);
    fine.write('QUIT\r\n');
    await fine.waitClosed();
  });

  it('graceful shutdown is bounded: an idle session is cut after the grace period', async () => {
    const serve = await serveInProcess({}, { shutdownGraceMs: 300 });
    const client = await RawClient.connect(serve.ports.imap);
    await client.waitFor(/^\* OK/);
    const started = Date.now();
    const result = await serve.running.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.cut).toBe(1);
    await client.waitClosed();
  });
});
