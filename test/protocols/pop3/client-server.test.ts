// The POP3 client and server machines back to back (docs/reference.md §7 `fetch`; docs/delivery.md P1, P4, P5):
// download-and-delete empties the maildrop; keep mode leaves everything and a second fetch retrieves
// only new mail; STLS; failures are reported in `done`, never thrown.
import { describe, expect, it } from 'vitest';
import { Pop3ClientMachine } from '../../../src/protocols/pop3/client.js';
import type { Pop3ServerMachine } from '../../../src/protocols/pop3/server.js';
import type { Pop3ClientEvent, Pop3ClientOptions, Pop3ServerEvent } from '../../../src/protocols/pop3/types.js';
import { deliver, latin1, mailWorld } from './helpers.js';

const MESSAGES = ['Subject: one\r\n\r\nhello\r\n', 'Subject: two\r\n\r\n.\r\n..\r\n.x\r\nend\r\n', 'Subject: three\r\n\r\n\r\n'];

/** Moves bytes both ways until neither side has anything to say; runs the TLS handshake when asked. */
function pump(client: Pop3ClientMachine, server: Pop3ServerMachine, options: { byteAtATime?: boolean; dropServerAfterRetr?: number } = {}) {
  const clientEvents: Pop3ClientEvent[] = [];
  const serverEvents: Pop3ServerEvent[] = [];
  const transcript: string[] = [];
  let retrs = 0;
  for (let round = 0; round < 10_000; round++) {
    const toServer = client.takeOutput();
    for (const chunk of toServer) {
      transcript.push(`C: ${latin1([chunk])}`);
      if (latin1([chunk]).startsWith('RETR')) retrs++;
      server.receive(chunk, round);
    }
    const toClient = server.takeOutput();
    for (const chunk of toClient) {
      transcript.push(`S: ${latin1([chunk])}`);
      if (options.byteAtATime) for (const byte of chunk) client.receive(Uint8Array.of(byte), round);
      else client.receive(chunk, round);
    }
    const newClient = client.takeEvents();
    const newServer = server.takeEvents();
    clientEvents.push(...newClient);
    serverEvents.push(...newServer);
    if (newClient.some((e) => e.type === 'starttls')) {
      server.tlsEstablished(round);
      client.tlsEstablished(round);
    }
    if (options.dropServerAfterRetr !== undefined && retrs >= options.dropServerAfterRetr && !server.closed) {
      server.receiveEof(round);
      client.receiveEof(round);
    }
    // A closed side's connection ends once its last bytes were delivered.
    if (server.closed && !client.closed && toClient.length === 0) client.receiveEof(round);
    if (client.closed && !server.closed && toServer.length === 0) server.receiveEof(round);
    if (toServer.length === 0 && toClient.length === 0 && newClient.length === 0 && newServer.length === 0) break;
  }
  clientEvents.push(...client.takeEvents());
  serverEvents.push(...server.takeEvents());
  return { clientEvents, serverEvents, transcript, done: clientEvents.find((e) => e.type === 'done') };
}

function fetchWorld() {
  const world = mailWorld();
  for (const message of MESSAGES) deliver(world.store, message);
  const client = (options: Partial<Pop3ClientOptions> = {}) =>
    new Pop3ClientMachine({ user: 'bob', password: 'secret pw', startTls: false, keep: false, nowMs: 0, ...options });
  return { ...world, client };
}

const retrieved = (events: Pop3ClientEvent[]) =>
  events.flatMap((e) => (e.type === 'message' ? [new TextDecoder().decode(e.bytes)] : []));

describe('POP3 client ↔ server', () => {
  it('download-and-delete retrieves every message, un-stuffed, and leaves the maildrop empty', () => {
    for (const byteAtATime of [false, true]) {
      const world = fetchWorld();
      const { clientEvents, done } = pump(world.client(), world.server(), { byteAtATime });
      expect(retrieved(clientEvents)).toEqual(MESSAGES);
      expect(done).toMatchObject({ ok: true, retrieved: 3, deleted: 3, error: null });
      expect(world.store.folder('INBOX')!.messages()).toEqual([]);
    }
  });

  it('keep mode leaves everything; a second fetch retrieves only the new mail', () => {
    const world = fetchWorld();
    const first = pump(world.client({ keep: true }), world.server());
    expect(first.done).toMatchObject({ ok: true, retrieved: 3, deleted: 0 });
    expect(first.transcript.join('')).not.toContain('DELE');
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(3);
    const seen = new Set(first.done!.type === 'done' ? first.done!.uidls : []);
    expect(seen.size).toBe(3);
    deliver(world.store, 'Subject: four\r\n\r\nnew\r\n');
    const second = pump(world.client({ keep: true, seenUidls: seen }), world.server());
    expect(retrieved(second.clientEvents)).toEqual(['Subject: four\r\n\r\nnew\r\n']);
    expect(second.done).toMatchObject({ ok: true, retrieved: 1, deleted: 0 });
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(4);
  });

  it('STLS first when asked: both sides see the handshake, then the fetch proceeds', () => {
    const world = fetchWorld();
    const { clientEvents, serverEvents, done } = pump(world.client({ startTls: true }), world.server());
    expect(clientEvents[0]).toEqual({ type: 'starttls' });
    expect(serverEvents[0]).toEqual({ type: 'starttls' });
    expect(done).toMatchObject({ ok: true, retrieved: 3, deleted: 3 });
  });

  it('never sends the password when STLS was asked for and refused', () => {
    const world = fetchWorld();
    const { transcript, done } = pump(world.client({ startTls: true }), world.server({ tlsOffered: false }));
    expect(transcript.join('')).not.toContain('PASS');
    expect(done).toMatchObject({ ok: false, retrieved: 0 });
    expect((done as { error: string }).error).toMatch(/^STLS refused: -ERR/);
  });

  it('a wrong password is reported, not thrown', () => {
    const world = fetchWorld();
    const { done } = pump(world.client({ password: 'wrong' }), world.server());
    expect(done).toMatchObject({ ok: false, retrieved: 0, deleted: 0, error: '-ERR [AUTH] invalid user name or password' });
  });

  it('a locked maildrop is reported as [IN-USE]', () => {
    const world = fetchWorld();
    const holder = world.store.tryLock('someone')!;
    const { done } = pump(world.client(), world.server());
    expect(done).toMatchObject({ ok: false, error: '-ERR [IN-USE] maildrop already locked by another session' });
    holder();
  });

  it('a connection dropped before QUIT deletes nothing and the client says so (P1)', () => {
    const world = fetchWorld();
    const { done } = pump(world.client(), world.server(), { dropServerAfterRetr: 2 });
    expect(done).toMatchObject({ ok: false, deleted: 0, error: 'connection closed' });
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(3);
  });

  it('times out when the server says nothing; a spurious timeout does nothing', () => {
    const client = new Pop3ClientMachine({ user: 'bob', password: 'x', startTls: false, keep: false, nowMs: 1000 });
    expect(client.nextTimeoutMs()).toBe(1000 + 300_000);
    client.onTimeout(2000);
    expect(client.takeEvents()).toEqual([]);
    client.onTimeout(301_000);
    expect(client.takeEvents()).toEqual([{ type: 'done', ok: false, retrieved: 0, deleted: 0, uidls: [], error: 'timeout' }]);
    expect(client.closed).toBe(true);
    expect(client.nextTimeoutMs()).toBeNull();
  });

  it('a garbage server is reported, not thrown', () => {
    const client = new Pop3ClientMachine({ user: 'bob', password: 'x', startTls: false, keep: false, nowMs: 0 });
    client.receive(new TextEncoder().encode('220 smtp.example.org ESMTP\r\n'), 1);
    expect(client.takeEvents()).toEqual([{ type: 'done', ok: false, retrieved: 0, deleted: 0, uidls: [], error: 'unexpected reply: 220 smtp.example.org ESMTP' }]);
  });

  it('fetches an empty maildrop with STAT and QUIT only', () => {
    const world = mailWorld();
    const client = new Pop3ClientMachine({ user: 'bob', password: 'secret pw', startTls: false, keep: false, nowMs: 0 });
    const { transcript, done } = pump(client, world.server());
    expect(transcript.filter((line) => line.startsWith('C: ')).map((line) => line.trim())).toEqual(['C: USER bob', 'C: PASS secret pw', 'C: STAT', 'C: QUIT']);
    expect(done).toMatchObject({ ok: true, retrieved: 0, deleted: 0 });
  });
});
