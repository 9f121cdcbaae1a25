/**
 * Issue 19 §1: what one IMAP connection can make the server buffer. Before authentication a command —
 * its text and its literals together — is held to `preauthCommandBytesMax` (8 KiB, Dovecot imap-login's
 * line buffer); after it to `commandBytesMax`. A literal over the budget is refused before it is read:
 * a synchronising one with NO [TOOBIG] instead of "+", a non-synchronising one with BAD [TOOBIG] and BYE
 * (RFC 7888 §4, RFC 9051 §7.1). Measured through the machine (`bufferedBytes`), not the process.
 */
import { describe, expect, it } from 'vitest';
import { bytes, world } from './harness.js';

const MiB = 1024 * 1024;
const PREAUTH_BOUND = 8 * 1024;

describe('IMAP input held per command (issue 19 §1)', () => {
  it('an unauthenticated synchronising literal over the bound gets NO [TOOBIG], never "+"', () => {
    const s = world().open();
    s.out();
    expect(s.send(`a LOGIN {${32 * MiB}}\r\n`)).toBe('a NO [TOOBIG] Command too big\r\n');
    expect(s.server.closed).toBe(false);
    expect(s.send('b NOOP\r\n')).toBe('b OK NOOP completed\r\n');
  });

  it('64 unauthenticated LITERAL+ literals of 1 MiB never make the server hold more than the bound', () => {
    const s = world().open();
    s.out();
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    let heldMax = 0;
    s.server.receive(bytes(`a LOGIN {${MiB}+}\r\n`), 0);
    for (let literal = 0; literal < 64 && !s.server.closed; literal += 1) {
      for (let sent = 0; sent < MiB && !s.server.closed; sent += chunk.length) {
        s.server.receive(chunk, 0);
        heldMax = Math.max(heldMax, s.server.bufferedBytes);
      }
      s.server.receive(bytes(` {${MiB}+}\r\n`), 0);
    }
    expect(heldMax).toBeLessThanOrEqual(PREAUTH_BOUND);
    expect(s.server.closed).toBe(true);
    expect(s.out()).toBe('a BAD [TOOBIG] Command too big\r\n* BYE [TOOBIG] Literal too big; closing\r\n');
  });

  it('small literals may not add up past the bound either, and a long unauthenticated line is cut', () => {
    const s = world().open();
    s.out();
    const literal = 'x'.repeat(1000);
    let script = 'a LOGIN';
    for (let i = 0; i < 10; i += 1) script += ` {1000+}\r\n${literal}`;
    s.server.receive(bytes(`${script}\r\n`), 0);
    expect(s.out()).toBe('a BAD [TOOBIG] Command too big\r\n* BYE [TOOBIG] Literal too big; closing\r\n');
    const t = world().open();
    t.out();
    t.server.receive(bytes(`a LOGIN ${'x'.repeat(PREAUTH_BOUND + 10)}`), 0);
    expect(t.out()).toBe('* BYE [LIMIT] Command line too long\r\n');
  });

  it('after LOGIN the bound is commandBytesMax: an APPEND literal of 1 MiB is read; one over the bound is refused', () => {
    const s = world().open({ limits: { commandBytesMax: 2 * MiB } }).login();
    s.out();
    expect(s.send(`a APPEND INBOX {${MiB}+}\r\n${'x'.repeat(MiB)}\r\n`)).toMatch(/^a OK \[APPENDUID /);
    expect(s.send(`b APPEND INBOX {${3 * MiB}}\r\n`)).toBe('b NO [TOOBIG] Command too big\r\n');
  });
});
