/**
 * Test helpers: an IMAP server session over a MemoryStore, fed text and read back as text.
 */
import { ImapServer, type ImapServerOptions } from '../../../src/protocols/imap/server.js';
import { RecentRegistry } from '../../../src/protocols/imap/recent.js';
import { MemoryStore } from './memory-store.js';

const decoder = new TextDecoder();
export const bytes = (text: string) => new TextEncoder().encode(text);

export const CRLF_MESSAGE = (subject: string, body = 'Hello\r\n') =>
  bytes(`From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: ${subject}\r\nDate: Thu, 01 Jan 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\n${body}`);

export interface World {
  store: MemoryStore;
  recent: RecentRegistry;
  open(options?: Partial<ImapServerOptions>): Session;
}

export function world(): World {
  const store = new MemoryStore('bob');
  const recent = new RecentRegistry();
  return {
    store,
    recent,
    open(options = {}) {
      return new Session(
        new ImapServer(
          {
            hostname: 'imap.example.org',
            authenticate: (user, password) => (user === 'bob' && password === 'secret' ? store : null),
            recent,
            ...options,
            // Replies to failed logins come at once here; the delay has its own tests (server.test.ts).
            limits: { authFailureDelayMs: 0, ...options.limits },
          },
          0,
        ),
      );
    },
  };
}

export class Session {
  nowMs = 0;
  constructor(readonly server: ImapServer) {}
  /** Everything the server has written since the last call, as text. */
  out(): string {
    return this.server
      .takeOutput()
      .map((chunk) => decoder.decode(chunk))
      .join('');
  }
  send(text: string, oneByteAtATime = false): string {
    const data = bytes(text);
    if (oneByteAtATime) for (const byte of data) this.server.receive(new Uint8Array([byte]), this.nowMs);
    else this.server.receive(data, this.nowMs);
    return this.out();
  }
  login(): this {
    this.out();
    this.send('l1 LOGIN bob secret\r\n');
    return this;
  }
  select(mailbox = 'INBOX'): this {
    this.send(`s1 SELECT ${mailbox}\r\n`);
    return this;
  }
}
