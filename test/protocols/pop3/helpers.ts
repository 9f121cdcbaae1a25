// Shared fixtures for the POP3 tests: a store on a memory disk and a server fed whole or byte by byte.
import { createHash } from 'node:crypto';
import { MemoryDisk } from '../../../src/store/disk.js';
import { createUserMailStore, type DeliverableMailStore, type MailboxFormat } from '../../../src/store/userStore.js';
import { Pop3ServerMachine } from '../../../src/protocols/pop3/server.js';
import type { Pop3ServerEvent, Pop3ServerOptions } from '../../../src/protocols/pop3/types.js';

export const T0 = 1_767_225_600_000;
export const bytes = (text: string) => new TextEncoder().encode(text);
export const latin1 = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder('latin1').decode(c)).join('');

export function mailWorld(format: MailboxFormat = 'maildir') {
  const platter = new MemoryDisk();
  const disk = platter.mount();
  const store: DeliverableMailStore = createUserMailStore(disk, 'mail/bob', { format, user: 'bob', clockMs: () => T0, hostName: 'mx1' });
  let sessions = 0;
  const server = (overrides: Partial<Pop3ServerOptions> = {}) =>
    new Pop3ServerMachine({
      hostName: 'mx1.example.org',
      bannerToken: `${++sessions}.${T0}`,
      sessionId: `pop3-${sessions}`,
      tlsOffered: true,
      tlsActive: false,
      checkPassword: (user, password) => user === 'bob' && password === 'secret pw',
      apopSecret: (user) => (user === 'bob' ? 'tanstaaf' : null),
      openMaildrop: (user) => (user === 'bob' ? store : null),
      nowMs: 0,
      ...overrides,
      // Replies to failed logins come at once here; the delay has its own tests (server.test.ts).
      limits: { authFailureDelayMs: 0, ...overrides.limits },
    });
  return { platter, store, server };
}

export function deliver(store: DeliverableMailStore, text: string): number {
  return store.beginDelivery('INBOX', bytes(text))!.commit();
}

/** Feeds the lines whole or one byte at a time; returns the output text and events. */
export function converse(server: Pop3ServerMachine, input: string, byteAtATime: boolean, nowMs = 1) {
  const data = bytes(input);
  if (byteAtATime) for (const byte of data) server.receive(Uint8Array.of(byte), nowMs);
  else server.receive(data, nowMs);
  return { output: latin1(server.takeOutput()), events: server.takeEvents() as Pop3ServerEvent[] };
}

export function apopDigest(banner: string, secret: string): string {
  return createHash('md5').update(banner + secret).digest('hex');
}
