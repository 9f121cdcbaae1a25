/**
 * The fault kinds `delay`, `rate-limit`, `greylist` and `tls-off` over serve's fault API (issue 20 point
 * 2): posted as in a scenario file, they act on the next real SMTP session from nodemailer, and once
 * deleted mail flows as before. Loopback only.
 */
import { createConnection } from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { asJson } from './json.js';
import { useServedApi } from './served-api.js';

const api = useServedApi();
afterEach(async () => {
  await fetch(`${api.base}/api/mailsim/v1/faults`, { method: 'DELETE' });
});

const transport = (options: Record<string, unknown> = {}) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: api.serve.ports.smtp, secure: false, ignoreTLS: true, ...options });
const send = (subject: string, options: Record<string, unknown> = {}) => transport(options).sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject, text: 'x' });
const addFault = async (fault: unknown) => {
  const response = await fetch(`${api.base}/api/mailsim/v1/faults`, { method: 'POST', body: JSON.stringify(fault), headers: { 'Content-Type': 'application/json' } });
  expect(response.status, JSON.stringify(fault)).toBe(200);
  return (await response.json().then(asJson)) as { id: string; description: string };
};
/** Sends each command after the previous reply (the last line of a multi-line reply); the replies' last lines, and whether the server closed. */
async function dialogue(commands: readonly string[]): Promise<string[] & { closed: boolean }> {
  const socket = createConnection({ host: '127.0.0.1', port: api.serve.ports.smtp });
  const replies = [] as unknown as string[] & { closed: boolean };
  replies.closed = false;
  let buffer = '';
  let waiting: (() => void) | null = null;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\r\n');
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line[3] !== '-') {
        replies.push(line);
        waiting?.();
      }
      end = buffer.indexOf('\r\n');
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const nextReply = () => new Promise<void>((resolve) => { waiting = resolve; });
  await nextReply(); // the greeting
  for (const command of commands) {
    const next = nextReply();
    socket.write(`${command}\r\n`);
    await next;
  }
  await Promise.race([closed.then(() => { replies.closed = true; }), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  socket.destroy();
  return replies;
}

const remove = (id: string) => fetch(`${api.base}/api/mailsim/v1/faults/${id}`, { method: 'DELETE' });

describe('server faults over HTTP', () => {
  it('delay: the reply to RCPT comes the given time later; removed, at once', async () => {
    const fault = await addFault({ delay: { on: 'rcpt', by: '700ms' } });
    let started = performance.now();
    await send('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(650);
    await remove(fault.id);
    started = performance.now();
    await send('fast');
    expect(performance.now() - started).toBeLessThan(650);
  });

  it('rate-limit: the second MAIL FROM of a session gets 421 4.7.0 and the line closes', async () => {
    await addFault({ 'rate-limit': { messages: 1 } });
    const transcript = await dialogue(['EHLO client.test', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<bob@example.test>', 'DATA', 'Subject: one\r\n\r\nx\r\n.', 'MAIL FROM:<alice@example.test>']);
    expect(transcript.at(-2)).toMatch(/^250 /); // the first message was taken
    expect(transcript.at(-1)).toMatch(/^421 4\.7\.0 Error: too much mail from 127\.0\.0\.1/);
    expect(transcript.closed).toBe(true);
    await send('a new session starts at zero');
  });

  it('greylist: the first try of a triplet gets 450 4.2.0, a retry after the delay passes', async () => {
    await addFault({ greylist: { delay: '300ms' } });
    await expect(send('grey')).rejects.toThrow(/450 4\.2\.0/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await send('grey');
  });

  it('tls-off: STARTTLS is not offered, so a client requiring TLS cannot send; removed, it can', async () => {
    const fault = await addFault({ 'tls-off': 'mail.example.test' });
    await expect(send('needs tls', { ignoreTLS: false, requireTLS: true, tls: { rejectUnauthorized: false } })).rejects.toThrow(/STARTTLS/i);
    await remove(fault.id);
    await send('needs tls', { ignoreTLS: false, requireTLS: true, tls: { rejectUnauthorized: false } });
  });

  it('bad input names the key: negative messages, a delay without by', async () => {
    for (const [body, where] of [
      [{ 'rate-limit': { messages: -1 } }, 'body.rate-limit.messages'],
      [{ delay: { on: 'rcpt' } }, 'body.delay.by'],
      [{ 'rate-limit': { messages: 1, code: 550 } }, 'body.rate-limit.code'],
    ] as const) {
      const response = await fetch(`${api.base}/api/mailsim/v1/faults`, { method: 'POST', body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect((await response.json().then(asJson)).where).toBe(where);
    }
  });
});
