/**
 * Issue 19 §1, slowloris on real sockets: 100 idle connections from one address (127.0.0.1) — as many as
 * serve takes in all — must not lock out a client at another address (127.0.0.2; both are loopback):
 * its SMTP, POP3 and IMAP sessions each complete in under a second while the attack holds. The cap per
 * client address (50, Postfix `smtpd_client_connection_count_limit`) turns the attacker's 51st
 * connection away with the "too many from you" answer; the cap per listener keeps one listener's
 * sockets from starving the others. The time measured is the normal session's, not the attack's.
 * Also on real sockets: the CLI flags of these caps, and a client trickling bytes cut after about
 * `server-idle` (the request deadline, src/protocols/request-deadline.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, repoRoot, run, serveCli, serveInProcess, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ATTACKER = '127.0.0.1';
const CLIENT = '127.0.0.2';

/** Runs `steps` (send, expect) on a fresh connection from `from`; returns how long it took in ms. */
async function session(port: number, from: string, greeting: RegExp, steps: Array<[string, RegExp]>): Promise<number> {
  const startedMs = performance.now();
  const client = await RawClient.connect(port, from);
  try {
    await client.waitFor(greeting, 2_000);
    for (const [line, reply] of steps) {
      const from = client.text.length;
      client.write(line);
      await client.waitFor(reply, 2_000, from);
    }
    await client.waitClosed(2_000);
  } finally {
    client.close();
  }
  return performance.now() - startedMs;
}

describe('slowloris: idle sockets from one address do not lock out another (issue 19 §1)', () => {
  it('with 100 idle sockets from 127.0.0.1, SMTP, POP3 and IMAP sessions from 127.0.0.2 each complete in < 1 s', async () => {
    const serve = await serveInProcess();
    cleanups.push(() => serve.stop());
    const attack: RawClient[] = [];
    cleanups.push(() => {
      for (const socket of attack) socket.close();
    });
    const kinds = ['smtp', 'pop3', 'imap', 'submission'] as const;
    for (let i = 0; i < 100; i += 1) attack.push(await RawClient.connect(serve.ports[kinds[i % kinds.length]!], ATTACKER));
    // Every attack socket has its answer: a greeting (admitted) or the per-address refusal.
    for (const socket of attack) await socket.waitFor(/\r\n/, 5_000);
    const refused = attack.filter((socket) => /Too many connections from your address/.test(socket.text));
    expect(refused.length).toBe(50);
    expect(refused.some((socket) => /^421 4\.7\.0 /.test(socket.text))).toBe(true);

    const smtpMs = await session(serve.ports.smtp, CLIENT, /^220 /, [
      ['EHLO client.example\r\n', /^250 /m],
      ['MAIL FROM:<carol@client.example>\r\n', /^250 /m],
      ['RCPT TO:<alice@example.test>\r\n', /^250 /m],
      ['DATA\r\n', /^354 /m],
      ['Subject: hi\r\n\r\nunder attack\r\n.\r\n', /^250 /m],
      ['QUIT\r\n', /^221 /m],
    ]);
    const pop3Ms = await session(serve.ports.pop3, CLIENT, /^\+OK /, [
      ['USER alice\r\n', /^\+OK/m],
      ['PASS secret\r\n', /^\+OK/m],
      ['STAT\r\n', /^\+OK 1 /m],
      ['QUIT\r\n', /^\+OK/m],
    ]);
    const imapMs = await session(serve.ports.imap, CLIENT, /^\* OK /, [
      ['a LOGIN alice secret\r\n', /^a OK/m],
      ['b SELECT INBOX\r\n', /^b OK/m],
      ['c LOGOUT\r\n', /^c OK/m],
    ]);
    expect(Math.max(smtpMs, pop3Ms, imapMs)).toBeLessThan(1_000);
    expect(attack.filter((socket) => !socket.closed).length).toBe(50); // the admitted ones are still there
  }, 60_000);

  it('a listener full of one address’s sockets leaves the other listeners open (per-listener cap)', async () => {
    const serve = await serveInProcess({}, { listenerConnectionsMax: 10, clientConnectionsMax: 1000 });
    cleanups.push(() => serve.stop());
    const attack: RawClient[] = [];
    cleanups.push(() => {
      for (const socket of attack) socket.close();
    });
    for (let i = 0; i < 11; i += 1) attack.push(await RawClient.connect(serve.ports.smtp, ATTACKER));
    for (const socket of attack) await socket.waitFor(/\r\n/, 5_000);
    expect(attack.filter((socket) => /^421 4\.3\.2 /.test(socket.text)).length).toBe(1);
    const imapMs = await session(serve.ports.imap, ATTACKER, /^\* OK /, [['a LOGOUT\r\n', /^a OK/m]]);
    expect(imapMs).toBeLessThan(1_000);
  }, 60_000);

  it('the CLI takes --max-client-connections and --max-listener-connections, and refuses a bad value', async () => {
    const serve = await serveCli(['--max-client-connections', '1', '--max-listener-connections', '5']);
    cleanups.push(() => void serve.stop());
    const first = await RawClient.connect(serve.ports.pop3, ATTACKER);
    cleanups.push(() => first.close());
    await first.waitFor(/^\+OK /);
    const second = await RawClient.connect(serve.ports.imap, ATTACKER);
    cleanups.push(() => second.close());
    await second.waitFor(/^\* BYE \[UNAVAILABLE\] Too many connections from your address/);
    const other = await RawClient.connect(serve.ports.imap, CLIENT);
    cleanups.push(() => other.close());
    await other.waitFor(/^\* OK /);
    const bad = await run(process.execPath, [join(repoRoot, 'bin/mailsim.js'), 'serve', '--max-client-connections', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-client-connections wants a positive integer/);
  }, 60_000);

  it('a client trickling a command line a byte at a time is cut after about server-idle on the real clock', async () => {
    const dir = tempDir('mailsim-trickle-');
    cleanups.push(() => dir.remove());
    const scenario = join(dir.path, 'serve.json');
    writeFileSync(scenario, JSON.stringify({ name: 'trickle', hosts: { 'mail.example.test': { roles: ['mta'], domains: ['example.test'], timeouts: { 'server-idle': '2s' } } } }));
    const serve = await serveInProcess({ scenario: { file: scenario, host: 'mail.example.test' } });
    cleanups.push(() => serve.stop());
    const client = await RawClient.connect(serve.ports.smtp, ATTACKER);
    cleanups.push(() => client.close());
    await client.waitFor(/^220 /);
    const startedMs = performance.now();
    const timer = setInterval(() => !client.closed && client.write('x'), 200);
    cleanups.push(() => clearInterval(timer));
    await client.waitFor(/421 .*timeout exceeded/, 10_000);
    clearInterval(timer);
    // Five bytes a second earn 10 ms a second: cut at about 2 s (it used to live as long as it kept sending).
    expect(performance.now() - startedMs).toBeLessThan(4_000);
  }, 30_000);
});
