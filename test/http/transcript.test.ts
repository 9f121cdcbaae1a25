/**
 * The SMTP transcript of the session that delivered a message (issue 20 point 4): a swaks-like
 * dialogue over real SMTP (implicit TLS on 465: EHLO, AUTH PLAIN, two transactions in one session),
 * then `GET /api/mailsim/v1/message/{ID}/transcript` — the lines in order with serve's times, AUTH's
 * credentials redacted, the message data a placeholder, the second message's transcript the same
 * session's up to its own dot, and both gone from memory with their messages.
 */
import { connect, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { asJson } from './json.js';
import { useServedApi } from './served-api.js';

const api = useServedApi();

/** A line-at-a-time SMTP client: each step sends its text and waits for one whole reply. */
async function dialogue(port: number, steps: string[]): Promise<string[]> {
  const socket: TLSSocket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  let buffered = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    waiters.shift()?.();
  });
  const reply = async (): Promise<string> => {
    for (;;) {
      const end = /^\d{3} .*\r\n/m.exec(buffered);
      if (end !== null) {
        const cut = end.index + end[0].length;
        const text = buffered.slice(0, cut);
        buffered = buffered.slice(cut);
        return text;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const replies = [await reply()];
  for (const step of steps) {
    socket.write(step);
    replies.push(await reply());
  }
  socket.end();
  return replies;
}

const message = (subject: string) => `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nsecret body text of ${subject}\r\n.\r\n`;
const credentials = Buffer.from('\0alice\0secret').toString('base64');

describe('the SMTP transcript of a stored message', () => {
  it('lines in order, AUTH redacted, data as a placeholder; the second message shares the session up to its own dot', async () => {
    const before = Date.now();
    const replies = await dialogue(api.serve.ports.smtps, [
      'EHLO client.example.test\r\n',
      `AUTH PLAIN ${credentials}\r\n`,
      'MAIL FROM:<alice@example.test>\r\n',
      'RCPT TO:<bob@example.test>\r\n',
      'DATA\r\n',
      message('first'),
      'MAIL FROM:<alice@example.test>\r\n',
      'RCPT TO:<bob@example.test>\r\n',
      'DATA\r\n',
      message('second'),
      'QUIT\r\n',
    ]);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(['220', '250', '235', '250', '250', '354', '250', '250', '250', '354', '250', '221']);
    expect((await fetch(`${api.base}/api/mailsim/v1/wait?subject=second&timeout=10s`)).status).toBe(200);
    const list = await (await fetch(`${api.base}/api/v1/messages`)).json().then(asJson);
    const bySubject = new Map<string, string>(list.messages.map((m: { Subject: string; ID: string }) => [m.Subject, m.ID]));
    const first = await (await fetch(`${api.base}/api/mailsim/v1/message/${bySubject.get('first')}/transcript`)).json().then(asJson);
    const second = await (await fetch(`${api.base}/api/mailsim/v1/message/${bySubject.get('second')}/transcript`)).json().then(asJson);

    const lines = (t: { lines: { dir: string; line: string }[] }) => t.lines.map((l) => `${l.dir} ${l.line}`);
    const firstLines = lines(first);
    const client = firstLines.filter((l) => l.startsWith('C '));
    expect(client).toEqual(['C EHLO client.example.test', 'C AUTH PLAIN <initial response>', 'C MAIL FROM:<alice@example.test>', 'C RCPT TO:<bob@example.test>', 'C DATA', expect.stringMatching(/^C <\d+ bytes of message data>$/)]);
    expect(firstLines[0]).toMatch(/^S 220 /);
    expect(firstLines).toContain('S 250-AUTH PLAIN LOGIN');
    expect(firstLines.at(-1)).toMatch(/^S 250 2\.0\.0 /); // ends with the reply to its own dot
    expect(firstLines.indexOf('C MAIL FROM:<alice@example.test>')).toBeGreaterThan(firstLines.indexOf('C AUTH PLAIN <initial response>'));
    const text = JSON.stringify([first, second]);
    expect(text).not.toContain(credentials);
    expect(text).not.toContain('secret body text');
    expect(first.port).toBe(465);

    const secondLines = lines(second);
    expect(secondLines.slice(0, firstLines.length)).toEqual(firstLines); // the same session…
    expect(secondLines.slice(firstLines.length).filter((l) => l.startsWith('C '))).toEqual(['C MAIL FROM:<alice@example.test>', 'C RCPT TO:<bob@example.test>', 'C DATA', expect.stringMatching(/^C <\d+ bytes of message data>$/)]);
    expect(secondLines.at(-1)).toMatch(/^S 250 2\.0\.0 /); // …up to its own dot: no QUIT
    expect(secondLines).not.toContain('C QUIT');
    for (const line of second.lines) {
      expect(line.atMs).toBeGreaterThanOrEqual(before - 1000);
      expect(line.atMs).toBeLessThanOrEqual(Date.now() + 1000);
      expect(new Date(line.at).getTime()).toBe(line.atMs);
    }
  });

  it('is dropped with its messages, and unknown ids are 404', async () => {
    const transcripts = api.serve.running.host.recordTranscripts();
    expect(transcripts.size).toBeGreaterThan(0);
    await fetch(`${api.base}/api/v1/messages`, { method: 'DELETE', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(transcripts.size).toBe(0);
    expect((await fetch(`${api.base}/api/mailsim/v1/message/nope/transcript`)).status).toBe(404);
  });
});
