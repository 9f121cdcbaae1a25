/**
 * Postfix's test servers and clients around `mailsim serve`:
 * - smtp-sink is the real SMTP server behind `--relay-to`: mail for a remote domain, submitted to
 *   mailsim, leaves through the MTA's SMTP client machine and lands in smtp-sink's dump folder with
 *   mailsim's Received: on top. With smtp-sink answering 4xx to RCPT, the mail is deferred, not bounced,
 *   and the queue (scan and back-off shortened to 1 s by a scenario) retries it on the real clock once a
 *   good smtp-sink listens again (docs/delivery.md R2, R8). After a restart on the same `--maildir`,
 *   the reloaded queue is scanned at once, not a whole `queue.scan` period after the boot.
 * - smtp-source is a load client: 200 sessions, 20 at a time; every message lands, none twice.
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import { eventually, findTool, freePort, haveTools, inboxOf, run, serveInProcess, tempDir } from './harness.js';

const enabled = haveTools('smtp-sink', 'smtp-source', 'swaks');
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Starts smtp-sink on the port, dumping every transaction into `dumpDir`; resolves once it accepts. */
async function startSink(port: number, dumpDir: string, extra: string[] = []): Promise<() => Promise<void>> {
  const { spawn } = await import('node:child_process');
  const asRoot = process.getuid?.() === 0 ? ['-u', 'postfix'] : [];
  const child = spawn(findTool('smtp-sink') ?? 'smtp-sink', [...asRoot, ...extra, '-d', `${dumpDir}/%H%M%S.`, `127.0.0.1:${port}`, '50'], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const probe = await run(findTool('swaks') ?? 'swaks', ['--server', `127.0.0.1:${port}`, '--quit-after', 'CONNECT'], { timeoutMs: 2_000 });
    if (probe.code === 0) return stop;
    if (Date.now() > deadline) throw new Error('smtp-sink did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function dumped(dir: string): string[] {
  return readdirSync(dir).map((name) => readFileSync(join(dir, name), 'latin1'));
}

/**
 * The dumps that hold the message with `subject`. smtp-sink opens a dump file when a transaction starts
 * and removes it when the transaction is aborted, so a refused transaction can leave an empty file for a
 * moment; only a dump with the message's content means the message was delivered.
 */
function delivered(dir: string, subject: string): string[] {
  return dumped(dir).filter((m) => m.includes(`Subject: ${subject}`));
}

describe.skipIf(!enabled)("Postfix's smtp-sink and smtp-source", () => {
  it('smtp-sink behind --relay-to receives remote mail through the MTA client machine', async () => {
    const dump = tempDir('mailsim-sink-');
    chmodSync(dump.path, 0o777);
    cleanups.push(() => dump.remove());
    const port = await freePort();
    await startSink(port, dump.path);
    const serve = await serveInProcess({ relay: true }, { relay: { host: '127.0.0.1', port } });
    cleanups.push(() => serve.stop());
    const sent = await run(findTool('swaks') ?? 'swaks', ['--server', `127.0.0.1:${serve.ports.submission}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'secret', '--from', 'alice@example.test', '--to', 'friend@remote.example', '--header', 'Subject: out via relay']);
    expect(sent.code).toBe(0);
    // smtp-sink creates the dump file, then writes it: wait for the content, not the name.
    await eventually(() => dumped(dump.path).some((m) => m.includes('Subject: out via relay')), 5_000, 'the message in smtp-sink');
    expect(dumped(dump.path)).toHaveLength(1);
    const [message] = dumped(dump.path);
    expect(message).toMatch(/Subject: out via relay/);
    expect(message).toMatch(/Received: from \S+ \(unknown \[127\.0\.0\.1\]\)\r?\n\s+by mail\.example\.test with ESMTPSA/);
    expect(message).toMatch(/RCPT TO:<friend@remote\.example>|friend@remote\.example/);
    await eventually(() => serve.running.host.queue.size === 0, 5_000, 'an empty queue');
  });

  it('NOTIFY=SUCCESS relayed to a next hop without DSN (smtp-sink -N): the relay sends Action: relayed (RFC 3461 §5.2.2)', async () => {
    const dump = tempDir('mailsim-sink-');
    chmodSync(dump.path, 0o777);
    cleanups.push(() => dump.remove());
    const port = await freePort();
    await startSink(port, dump.path, ['-N']);
    const serve = await serveInProcess({ relay: true }, { relay: { host: '127.0.0.1', port } });
    cleanups.push(() => serve.stop());
    const submission = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.submission, secure: false, requireTLS: true, auth: { user: 'alice', pass: 'secret' }, tls: { rejectUnauthorized: false } });
    const sent = await submission.sendMail({ from: 'alice@example.test', to: 'friend@remote.example', subject: 'tell me when it is out', text: 'x', dsn: { notify: ['success', 'failure'], recipient: 'alice@example.test' } });
    expect(sent.accepted).toEqual(['friend@remote.example']);
    await eventually(() => delivered(dump.path, 'tell me when it is out').length === 1, 5_000, 'the message in smtp-sink');
    await eventually(() => inboxOf(serve, 'alice').length === 1, 5_000, 'the success notice in alice’s INBOX');
    const notice = parseDsn(new TextEncoder().encode(inboxOf(serve, 'alice')[0]!));
    expect(notice?.reportingMta).toBe('mail.example.test');
    expect(notice?.recipients).toEqual([expect.objectContaining({ finalRecipient: 'friend@remote.example', action: 'relayed', status: expect.stringMatching(/^2\./) })]);
  });

  it('4xx from the relay defers; the queue retries on the real clock and delivers once the relay accepts', async () => {
    const dump = tempDir('mailsim-sink-');
    chmodSync(dump.path, 0o777);
    const scenario = tempDir('mailsim-scn-');
    cleanups.push(() => dump.remove(), () => scenario.remove());
    const file = join(scenario.path, 'fast-retry.yaml');
    writeFileSync(file, 'name: fast retries\nhosts:\n  mail.example.test:\n    domains: [example.test]\n    users: { alice: secret }\n    queue: { min: 1s, max: 1s, scan: 1s }\n');
    const port = await freePort();
    const stopRefusing = await startSink(port, dump.path, ['-r', 'RCPT']);
    const serve = await serveInProcess({ scenario: { file, host: 'mail.example.test' }, relay: true }, { relay: { host: '127.0.0.1', port } });
    cleanups.push(() => serve.stop());
    const sent = await run(findTool('swaks') ?? 'swaks', ['--server', `127.0.0.1:${serve.ports.smtps}`, '--tlsc', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'secret', '--from', 'alice@example.test', '--to', 'friend@remote.example', '--header', 'Subject: deferred then delivered']);
    expect(sent.code).toBe(0);
    const host = serve.running.host;
    // serve keeps no mail log (bounded memory): the queue says what the last attempt got.
    await eventually(() => host.queue.pendingRecipients().some((r) => r.lastAttemptMs !== null && r.status?.startsWith('4') === true), 5_000, 'a deferred attempt');
    expect(host.queue.pendingRecipients().map((r) => r.address)).toEqual(['friend@remote.example']);
    expect(delivered(dump.path, 'deferred then delivered')).toHaveLength(0);
    await stopRefusing();
    await startSink(port, dump.path);
    await eventually(() => delivered(dump.path, 'deferred then delivered').length > 0, 8_000, 'the retried message in smtp-sink');
    expect(delivered(dump.path, 'deferred then delivered')).toHaveLength(1);
    await eventually(() => host.queue.size === 0, 5_000, 'an empty queue');
  });

  it('after a restart, queued mail goes out at once, not a full queue scan (300 s) later', async () => {
    const dump = tempDir('mailsim-sink-');
    chmodSync(dump.path, 0o777);
    const maildir = tempDir('mailsim-restart-');
    cleanups.push(() => dump.remove(), () => maildir.remove());
    // First run: no relay, so the remote message stays queued on disk.
    const first = await serveInProcess({}, { maildir: maildir.path });
    const sent = await run(findTool('swaks') ?? 'swaks', ['--server', `127.0.0.1:${first.ports.submission}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'secret', '--from', 'alice@example.test', '--to', 'friend@remote.example', '--header', 'Subject: queued across a restart']);
    expect(sent.code).toBe(0);
    expect(first.running.host.queue.size).toBe(1);
    await first.stop();
    // Second run on the same queue, now with a relay: the first scan after boot runs at once.
    const port = await freePort();
    await startSink(port, dump.path);
    const second = await serveInProcess({ relay: true }, { maildir: maildir.path, relay: { host: '127.0.0.1', port } });
    cleanups.push(() => second.stop());
    expect(second.running.host.queue.size).toBe(1);
    await eventually(() => delivered(dump.path, 'queued across a restart').length === 1, 2_000, 'the queued message in smtp-sink within 2 s of the restart');
    await eventually(() => second.running.host.queue.size === 0, 2_000, 'an empty queue');
  });

  it('smtp-source: 200 sessions, 20 in parallel — all 200 messages land in the mailbox, each once', async () => {
    const serve = await serveInProcess({}, { connectionsMax: 100 });
    cleanups.push(() => serve.stop());
    const result = await run(findTool('smtp-source') ?? 'smtp-source', ['-s', '20', '-m', '200', '-f', 'load@remote.example', '-t', 'bob@example.test', '-S', 'load test', `127.0.0.1:${serve.ports.smtp}`], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await eventually(() => inboxOf(serve, 'bob').length >= 200, 10_000, '200 messages');
    const messages = inboxOf(serve, 'bob');
    expect(messages).toHaveLength(200);
    const ids = new Set(messages.map((m) => /^Received: [\s\S]*? id (\S+)\r\n/m.exec(m)?.[1]));
    expect(ids.size).toBe(200);
  });
});
