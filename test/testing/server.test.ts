/**
 * `startServer` (mailsim/testing): an application test against mailsim's machines on loopback sockets
 * in this process — nodemailer sends through submission with AUTH, the test waits for the filing and
 * imapflow reads it back; two servers side by side; waitForMessage's timeout with its listing; an
 * injected reply and drop as nodemailer sees them; close() frees the ports.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { startServer, type TestServer } from 'mailsim/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const tls = { rejectUnauthorized: false };

function submission(server: TestServer, user = 'alice', pass = 'secret') {
  return nodemailer.createTransport({ host: server.host, port: server.ports.submission, secure: false, requireTLS: true, auth: { user, pass }, tls });
}

/** Whether a new listener can bind `port` on loopback now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startServer: an application test against real sockets', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ users: { alice: 'secret', bob: 'secret' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('opens every listener on a free loopback port and names its users', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.hostName).toBe('mail.example.test');
    expect(Object.keys(server.ports)).toEqual(['smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps']);
    for (const port of Object.values(server.ports)) expect(port).toBeGreaterThan(0);
    expect(new Set(Object.values(server.ports)).size).toBe(7);
    expect(server.users.map((user) => [user.name, user.password, user.addresses])).toEqual([
      ['alice', 'secret', ['alice@example.test']],
      ['bob', 'secret', ['bob@example.test']],
    ]);
  });

  it('nodemailer sends through submission (STARTTLS + AUTH); waitForMessage has it, parsed; imapflow reads it back', async () => {
    const sent = await submission(server).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'Grüße from the app', text: 'your order shipped' });
    expect(sent.accepted).toEqual(['bob@example.test']);
    const filed = await server.waitForMessage({ to: 'BOB@example.test', subject: /Grüße/ }, { timeoutMs: '5s' });
    expect(filed).toMatchObject({ to: 'bob@example.test', from: 'alice@example.test', subject: 'Grüße from the app', user: 'bob', folder: 'INBOX' });
    expect(filed.raw).toMatch(/^Return-Path: <alice@example\.test>\r\n/);
    expect(filed.headers.get('subject')).toBe('Grüße from the app');
    expect(filed.parsed.text?.trim()).toBe('your order shipped');
    expect((await server.messages()).map((m) => m.subject)).toContain('Grüße from the app');

    const client = new ImapFlow({ host: server.host, port: server.ports.imaps, secure: true, tls, auth: { user: 'bob', pass: 'secret' }, logger: quiet });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
        expect(subjects).toContain('Grüße from the app');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('waitForMessage waits for a message that arrives later, and takes a predicate', async () => {
    const waiting = server.waitForMessage((message) => message.to === 'alice@example.test' && message.parsed.text?.includes('later') === true, { timeoutMs: 5_000 });
    await submission(server, 'bob').sendMail({ from: 'bob@example.test', to: 'alice@example.test', subject: 'reply', text: 'see you later' });
    expect((await waiting).from).toBe('bob@example.test');
  });

  it('a filter that throws rejects that wait with its error (already filed, or arriving later)', async () => {
    const boom = () => {
      throw new Error('my filter broke');
    };
    await expect(server.waitForMessage(boom)).rejects.toThrow('my filter broke');
    const laterBoom = server.waitForMessage((message) => {
      if (message.subject === 'to myself') throw new Error('broke on the new one');
      return false;
    });
    await submission(server).sendMail({ from: 'alice@example.test', to: 'alice@example.test', subject: 'to myself', text: 'x' });
    await expect(laterBoom).rejects.toThrow('broke on the new one');
    expect((await server.messages()).map((m) => m.subject)).toContain('to myself');
  });

  it('waitForMessage rejects after the timeout with a listing of what did arrive', async () => {
    const started = performance.now();
    const error = await server.waitForMessage({ to: 'carol@example.test', subject: 'never sent' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^waitForMessage: no message matching \{ to: "carol@example\.test", subject: "never sent" \} within 300 ms; \d+ filed:\n/);
    expect(message).toContain('  - to bob@example.test from alice@example.test subject "Grüße from the app" (bob/INBOX)');
    expect(message).toContain('  - to alice@example.test from bob@example.test subject "reply" (alice/INBOX)');
  });

  it('an injected 5xx at RCPT, then a 4xx at MAIL, reach nodemailer as those errors; then mail flows again', async () => {
    server.inject({ reply: { on: 'rcpt', code: 550, text: '5.1.1 No such user here', times: 1 } });
    const refused = await submission(server).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'refused', text: 'x' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ responseCode: 550, response: '550 5.1.1 No such user here' });

    server.inject({ at: '0s', reply: { host: server.hostName, on: 'mail', code: 451, times: 1 } });
    const deferred = await submission(server).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'deferred', text: 'x' }).catch((e: unknown) => e);
    expect(deferred).toMatchObject({ responseCode: 451 });
    expect(String((deferred as Error).message)).toBe('Mail command failed: 451 4.0.0 injected fault (mailsim)');

    await submission(server).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'after the faults', text: 'x' });
    await server.waitForMessage({ subject: 'after the faults' });
    expect((await server.messages()).map((m) => m.subject)).not.toEqual(expect.arrayContaining(['refused', 'deferred']));
  });

  it('an injected dropped connection (after MAIL) reaches nodemailer as a lost connection', async () => {
    server.inject({ drop: { after: 'mail', times: 1 } });
    const cut = await submission(server).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'cut', text: 'x' }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(Error);
    // The server resets the connection (as a crashed or cut server does) before it replies to MAIL.
    expect(cut).toMatchObject({ code: 'ESOCKET', message: expect.stringMatching(/ECONNRESET/) });
  });

  it('inject refuses a malformed fault (the loader\'s located message) and one a server cannot serve', () => {
    expect(() => server.inject({ reply: { on: 'rcpt', code: 99 } })).toThrow(/^startServer options \(inject\): .*\nstartServer options \(inject\): faults\[\d+\]\.reply\.code: expected a whole number from 200 to 599; got number 99$/);
    expect(() => server.inject({ down: server.hostName })).toThrow(/inject: down cannot be served: only faults inside this host's SMTP server or on its listeners are \(refuse, reply, drop, delay, rate-limit, greylist, tls-off, corrupt/);
  });
});

describe('startServer: lifetimes and ports', () => {
  it('two servers at once get different ports and keep their own mail', async () => {
    await using first = await startServer();
    await using second = await startServer({ domains: ['other.test'], users: { carol: 'pw' } });
    const firstPorts = new Set(Object.values(first.ports));
    expect(Object.values(second.ports).filter((port) => firstPorts.has(port))).toEqual([]);
    await submission(second, 'carol', 'pw').sendMail({ from: 'carol@other.test', to: 'carol@other.test', subject: 'mine', text: 'x' });
    expect((await second.waitForMessage({ to: 'carol@other.test' })).subject).toBe('mine');
    expect(await first.messages()).toEqual([]);
  });

  it('close() frees the ports (a new listen on them succeeds), is idempotent, and rejects waiters still waiting', async () => {
    const server = await startServer();
    const ports = Object.values(server.ports);
    for (const port of ports) expect(await canListen(port)).toBe(false);
    const waiting = server.waitForMessage({ to: 'alice@example.test' }, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    for (const port of ports) expect(await canListen(port)).toBe(true);
    expect(String(await waiting)).toMatch(/the server was closed before a message matching \{ to: "alice@example\.test" \} arrived/);
    expect(() => server.inject({ drop: { after: 'mail' } })).toThrow(/closed/);
  });

  it('named ports are used as given; tls: false opens no implicit-TLS listener and says so when one is read', async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    await using server = await startServer({ ports: { smtp: free }, tls: false });
    expect(server.ports.smtp).toBe(free);
    expect(Object.keys(server.ports)).toEqual(['smtp', 'submission', 'pop3', 'imap']);
    expect(() => server.ports.smtps).toThrow(/no smtps listener: the host does not offer TLS/);
    await nodemailer.createTransport({ host: server.host, port: server.ports.smtp, secure: false, ignoreTLS: true }).sendMail({ from: 'x@elsewhere.test', to: 'bob@example.test', subject: 'port 25', text: 'x' });
    expect((await server.waitForMessage({ from: 'x@elsewhere.test' })).to).toBe('bob@example.test');
  });

  it('serves a host of a scenario file with its users, filters and the faults given', async () => {
    const file = join(import.meta.dirname, '../../scenarios/filters-pop3-imap.yaml');
    await using server = await startServer({ scenario: { file, host: 'mail.example.org' }, faults: [{ reply: { on: 'rcpt', code: 452, times: 1 } }] });
    expect(server.hostName).toBe('mail.example.org');
    expect(server.users.map((user) => user.name)).toEqual(['bob', 'carol']);
    const sender = nodemailer.createTransport({ host: server.host, port: server.ports.smtp, secure: false, ignoreTLS: true });
    const first = await sender.sendMail({ from: 'alice@sender.net', to: 'bob@example.org', subject: '[SPAM] first', text: 'x' }).catch((e: unknown) => e);
    expect(first).toMatchObject({ responseCode: 452 });
    await sender.sendMail({ from: 'alice@sender.net', to: 'bob@example.org', subject: '[SPAM] again', text: 'x' });
    expect(await server.waitForMessage({ subject: /SPAM/ })).toMatchObject({ user: 'bob', folder: 'Junk', subject: '[SPAM] again' });
  });

  it('a broken host is the loader\'s located error, before anything listens', async () => {
    await expect(startServer({ users: { alice: { password: 'x', quota: 'lots' } } })).rejects.toThrow(/startServer options.*hosts\.mail\.example\.test\.users\.alice\.quota/s);
  });
});
