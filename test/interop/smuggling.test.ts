/**
 * docs/delivery.md E4 (SMTP smuggling, CVE-2023-51764/5/6) on real sockets: each fake end-of-data sequence
 * is sent inside one DATA, followed by a second complete transaction; the server must never deliver a
 * second message — the smuggled one may only appear inside the first message's body, or be refused.
 * A message with a NUL octet is refused after its real end (`554 5.6.0`, docs/delivery.md E4), so a
 * next hop that drops NULs never gets `<CRLF>NUL.<CRLF>` to read as the end of data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type InProcessServe, inboxOf, RawClient, serveInProcess } from './harness.js';

const vectors: Record<string, string> = {
  'LF.LF': '\n.\n',
  'CR.CR': '\r.\r',
  'CR.LF': '\r.\n',
  'LF.CR': '\n.\r',
  'LF.CRLF': '\n.\r\n',
  'CRLF.LF': '\r\n.\n',
  'CR.CRLF': '\r.\r\n',
  'CRLF.CR': '\r\n.\r',
  'CRLF NUL.CRLF': '\r\n\x00.\r\n',
  'CRLF.CR CRLF': '\r\n.\r\r\n',
};

let serve: InProcessServe;
beforeAll(async () => {
  serve = await serveInProcess({ users: Object.keys(vectors).map((_, i) => `v${i}:pw`) });
});
afterAll(async () => {
  await serve?.stop();
});

function headerBlock(message: string): string {
  const end = message.indexOf('\r\n\r\n');
  return end < 0 ? message : message.slice(0, end);
}

describe('E4: SMTP smuggling vectors over a raw socket (port 25)', () => {
  Object.entries(vectors).forEach(([name, fake], index) => {
    it(`${name}: no second message is delivered`, async () => {
      const user = `v${index}`;
      const client = await RawClient.connect(serve.ports.smtp);
      try {
        await client.waitFor(/^220 .*\r\n/);
        client.write('EHLO attacker.example\r\n');
        await client.waitFor(/^250 .*\r\n/m);
        client.write(`MAIL FROM:<a@attacker.example>\r\nRCPT TO:<${user}@example.test>\r\nDATA\r\n`);
        await client.waitFor(/^354 /m);
        const mark = client.text.length;
        client.write(`Subject: first\r\n\r\nbody${fake}MAIL FROM:<admin@example.test>\r\nRCPT TO:<${user}@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n.\r\n`);
        client.write('QUIT\r\n');
        await client.waitFor(/^221 /m, 5_000, mark).catch(() => client.waitClosed());
        const replies = client.text.slice(mark);
        expect(replies).toMatch(/^(250|4\d\d|5\d\d) /m); // the DATA got its answer: the server did not hang
        // At most one transaction's worth of "queued": a 250 for the smuggled DATA would be a second message.
        expect((replies.match(/^250 2\.0\.0 /gm) ?? []).length).toBeLessThanOrEqual(1);
      } finally {
        client.close();
      }
      await eventually(() => serve.running.host.queue.size === 0, 3_000, 'the queue to drain');
      const delivered = inboxOf(serve, user);
      expect(delivered.length).toBeLessThanOrEqual(1);
      for (const message of delivered) expect(headerBlock(message)).not.toMatch(/^Subject: smuggled/m);
    });
  });

  it('CRLF NUL.CRLF: the message is refused with 554 5.6.0 and nothing is delivered or queued', async () => {
    const user = 'v8';
    expect(vectors['CRLF NUL.CRLF']).toBe(Object.values(vectors)[8]);
    const client = await RawClient.connect(serve.ports.smtp);
    try {
      await client.waitFor(/^220 .*\r\n/);
      client.write(`EHLO attacker.example\r\nMAIL FROM:<a@attacker.example>\r\nRCPT TO:<${user}@example.test>\r\nDATA\r\n`);
      await client.waitFor(/^354 /m);
      const mark = client.text.length;
      const before = inboxOf(serve, user).length;
      client.write('Subject: nul\r\n\r\nbody\r\n\x00.\r\nmore\r\n.\r\nQUIT\r\n');
      await client.waitFor(/^221 /m, 5_000, mark);
      expect(client.text.slice(mark)).toMatch(/^554 5\.6\.0 Message contains NUL characters/m);
      expect(serve.running.host.queue.size).toBe(0);
      expect(inboxOf(serve, user)).toHaveLength(before);
    } finally {
      client.close();
    }
  });
});
