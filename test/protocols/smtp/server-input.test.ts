/**
 * The SMTP server reads received bytes in place and keeps a copy only of what it has not read when
 * receive() returns (src/protocols/smtp/server-input.ts): a caller that reuses its array afterwards
 * changes nothing the server reads — a command cut in two, a pipelined command behind a PENDING
 * decision, the DATA of a message and a BDAT chunk.
 */
import { describe, expect, it } from 'vitest';
import { PENDING, SmtpServer, type SmtpServerEvent } from '../../../src/protocols/smtp/server.js';
import { latin1, options, text } from './server-harness.js';

/** Feeds each piece from one shared array, overwritten with junk after every receive(). */
function feedReusing(server: SmtpServer, pieces: string[]): { output: string; events: SmtpServerEvent[] } {
  const shared = new Uint8Array(256);
  let output = '';
  const events: SmtpServerEvent[] = [];
  const drain = () => {
    output += server.takeOutput().map(text).join('');
    events.push(...server.takeEvents());
  };
  drain();
  for (const piece of pieces) {
    const bytes = latin1(piece);
    shared.set(bytes);
    server.receive(shared.subarray(0, bytes.length), 1000);
    shared.fill(0x21); // "!!!!": the caller reuses its buffer
    if (server.awaitingDecision !== null) server.resolve({ kind: 'accept' }, 1000);
    drain();
  }
  return { output, events };
}

describe('SMTP server input: nothing read after receive() returns is the caller’s array', () => {
  it('a command cut in two, DATA across pieces, BDAT chunks across pieces', () => {
    const server = new SmtpServer(options());
    server.start(0);
    const { output, events } = feedReusing(server, [
      'EHLO client.example\r\nMAIL FROM:<alice@exa',
      'mple.net>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: one\r\n\r\nfirst ha',
      'lf, second half\r\n.\r\nMAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\nBDAT 11 LAST\r\nchunk',
      ' two\r\n',
    ]);
    expect(output).not.toMatch(/^5/m);
    const messages = events.flatMap((e) => (e.type === 'message' ? [text(e.message)] : []));
    expect(messages).toEqual(['Subject: one\r\n\r\nfirst half, second half\r\n', 'chunk two\r\n']);
  });

  it('commands pipelined behind a PENDING decision', () => {
    const server = new SmtpServer(options({ hooks: { onMail: () => PENDING } }));
    server.start(0);
    const { output } = feedReusing(server, ['EHLO client.example\r\n', 'MAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\nNOOP\r\n']);
    expect(output.split('\r\n').filter((line) => /^\d{3} /.test(line))).toEqual([
      '220 mx.example.org ESMTP mailsim',
      '250 CHUNKING',
      '250 2.1.0 Sender <alice@example.net> OK',
      '250 2.1.5 Recipient <bob@example.org> OK',
      '250 2.0.0 OK',
    ]);
  });
});
