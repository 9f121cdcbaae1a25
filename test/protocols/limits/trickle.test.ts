/**
 * Issue 19 §1, slowloris: a client that sends one byte a second must not keep a session alive. Each
 * server machine gives a request (a command line, a DATA block, an IMAP command) a deadline that starts
 * when the server last answered; bytes without an answer only earn 2 ms each (Postfix
 * `smtpd_per_request_deadline` with `smtpd_min_data_rate` 500 B/s; src/protocols/request-deadline.ts).
 * The machines are driven as an owner would: feed input, then call onTimeout whenever the deadline passes.
 */
import { describe, expect, it } from 'vitest';
import type { SansIoMachine } from '../../../src/protocols/machine.js';
import { ImapServer } from '../../../src/protocols/imap/server.js';
import { SmtpServer } from '../../../src/protocols/smtp/server.js';
import { mailWorld } from '../pop3/helpers.js';

const text = (chunks: readonly Uint8Array[]) => chunks.map((chunk) => new TextDecoder('latin1').decode(chunk)).join('');
const bytes = (line: string) => new TextEncoder().encode(line);

/** Sends `input` one byte per `gapMs`, firing due timeouts on the way; returns when the machine closed (or the input ran out) and when. */
function trickle(machine: SansIoMachine<unknown>, startMs: number, input: string, gapMs: number): { closedAtMs: number | null; output: string } {
  let output = text(machine.takeOutput());
  let nowMs = startMs;
  for (const byte of bytes(input)) {
    nowMs += gapMs;
    const due = machine.nextTimeoutMs();
    if (due !== null && due <= nowMs) machine.onTimeout(Math.max(due, nowMs - gapMs));
    output += text(machine.takeOutput());
    if (machine.closed) return { closedAtMs: nowMs, output };
    machine.receive(Uint8Array.of(byte), nowMs);
    output += text(machine.takeOutput());
  }
  return { closedAtMs: null, output };
}

const slowLine = `EHLO ${'x'.repeat(200)}`;

describe('a trickle of bytes does not reset the idle deadline (issue 19 §1)', () => {
  it('SMTP: a command line sent at 1 byte/s is cut with 421 about server-idle after the last reply', () => {
    const server = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '192.0.2.1', limits: { idleTimeoutMs: 5000 } });
    server.start(0);
    const run = trickle(server, 0, slowLine, 1000);
    expect(run.closedAtMs).not.toBeNull();
    expect(run.closedAtMs!).toBeLessThanOrEqual(7000);
    expect(run.output).toMatch(/421 .*timeout exceeded/); // no enhanced code before EHLO (RFC 2034 §3)
  });

  it('SMTP: a DATA block trickled line by line is cut too, though every line ends; a fast 1 MB block is not', () => {
    const server = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '192.0.2.1', limits: { idleTimeoutMs: 5000 } });
    server.start(0);
    server.receive(bytes('HELO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n'), 0);
    const run = trickle(server, 0, 'a\r\n'.repeat(100), 1000);
    expect(run.closedAtMs).not.toBeNull();
    expect(run.closedAtMs!).toBeLessThanOrEqual(7000);
    const fast = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '192.0.2.1', limits: { idleTimeoutMs: 5000 } });
    fast.start(0);
    fast.receive(bytes('HELO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n'), 0);
    const line = bytes(`${'y'.repeat(998)}\r\n`);
    // 1 MB in 1 s steps of 10 KB/s: slow, but above 500 B/s, so the deadline keeps ahead of it.
    for (let second = 1; second <= 100; second += 1) {
      for (let i = 0; i < 10; i += 1) fast.receive(line, second * 1000);
      fast.onTimeout(second * 1000);
    }
    expect(fast.closed).toBe(false);
  });

  it('POP3: a command trickled at 1 byte/s is autologged out about 10 minutes after the last reply', () => {
    const server = mailWorld().server();
    const run = trickle(server, 0, `USER ${'b'.repeat(240)}`, 3000);
    expect(run.closedAtMs).not.toBeNull();
    expect(run.closedAtMs!).toBeLessThanOrEqual(10 * 60_000 + 6000);
    expect(run.output).toContain('-ERR [SYS/TEMP] autologout');
  });

  it('IMAP: a literal trickled at 1 byte/s is autologged out about 30 minutes after the last reply', () => {
    const server = new ImapServer({ hostname: 'h', authenticate: () => null }, 0);
    server.receive(bytes('a LOGIN {4000+}\r\n'), 0);
    const run = trickle(server, 0, 'x'.repeat(4000), 1000);
    expect(run.closedAtMs).not.toBeNull();
    expect(run.closedAtMs!).toBeLessThanOrEqual(30 * 60_000 + 20_000);
    expect(run.output).toContain('* BYE Autologout');
  });
});
