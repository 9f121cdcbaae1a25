/**
 * `mailsim serve` follows Dovecot's `disable_plaintext_auth = yes` (docs/reference.md §12): a POP3 or IMAP
 * client that is not on loopback gets no cleartext login before TLS — POP3 leaves USER out of CAPA and
 * refuses it with -ERR [AUTH] (RFC 3206 §4), IMAP advertises LOGINDISABLED and refuses LOGIN with
 * NO [PRIVACYREQUIRED] (RFC 9051 §6.2.3, RFC 5530) — while a loopback client, and any client with
 * `plaintextAuth: 'allowed'` (`--allow-plaintext-auth`), logs in as before. The serve host's acceptors are
 * fed an in-memory endpoint with the client address under test (a real non-loopback client would need a
 * network; the interop tests' real clients connect over loopback and keep working).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionHandlers } from '../../src/net/connection.js';
import { ServeHost } from '../../src/bridge/serve-host.js';
import type { PlaintextAuthPolicy } from '../../src/nodes/host-context.js';
import { isLoopback } from '../../src/nodes/mailbox-services.js';
import type { StreamEndpoint } from '../../src/nodes/stream-endpoint.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

/** An accepted connection kept in memory: what the server writes is collected as text. */
class MemoryEndpoint implements StreamEndpoint {
  state = 'open' as const;
  writable = true;
  secure = false;
  written = '';
  private handlers: ConnectionHandlers | null = null;
  constructor(readonly remoteAddress: string) {}
  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }
  write(bytes: Uint8Array): void {
    this.written += Buffer.from(bytes).toString('latin1');
  }
  end(): void {
    this.writable = false;
  }
  reset(): void {
    this.writable = false;
  }
  startTls(): void {}
  send(text: string): void {
    this.handlers?.onData(Buffer.from(text, 'latin1'));
  }
}

const hosts: ServeHost[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.shutDown();
});

function serveHost(plaintextAuth: PlaintextAuthPolicy): ServeHost {
  const scenario = validateScenarioObject({
    name: 'one host',
    hosts: { 'mail.example.test': { roles: ['mta', 'mda', 'pop3', 'imap'], domains: ['example.test'], users: { bob: 'pw' } } },
  });
  const host = new ServeHost({ config: scenario.hosts[0]!, listenAddress: '127.0.0.1', maildir: null, relay: null, plaintextAuth });
  hosts.push(host);
  host.boot();
  return host;
}

function connect(host: ServeHost, port: 110 | 143, from: string): MemoryEndpoint {
  const endpoint = new MemoryEndpoint(from);
  host.clock.pulse(() => host.netHost.acceptors.get(port)!(endpoint));
  return endpoint;
}

function say(host: ServeHost, endpoint: MemoryEndpoint, text: string): string {
  const mark = endpoint.written.length;
  host.clock.pulse(() => endpoint.send(text));
  return endpoint.written.slice(mark);
}

describe("serve: no cleartext password before TLS from a client off loopback (Dovecot's disable_plaintext_auth)", () => {
  it('POP3 from 192.0.2.7: CAPA without USER, USER refused with -ERR [AUTH]; STLS is offered', () => {
    const host = serveHost('tls-or-loopback');
    const client = connect(host, 110, '192.0.2.7');
    const capa = say(host, client, 'CAPA\r\n');
    expect(capa).toMatch(/^STLS\r$/m);
    expect(capa).not.toMatch(/^USER\r$/m);
    expect(say(host, client, 'USER bob\r\n')).toBe('-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n');
  });

  it('IMAP from 192.0.2.7: LOGINDISABLED and no AUTH=PLAIN; LOGIN refused with NO [PRIVACYREQUIRED]', () => {
    const host = serveHost('tls-or-loopback');
    const client = connect(host, 143, '192.0.2.7');
    expect(client.written).toMatch(/LOGINDISABLED/);
    expect(client.written).not.toMatch(/AUTH=PLAIN/);
    expect(say(host, client, 'a LOGIN bob pw\r\n')).toBe('a NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS\r\n');
  });

  it('from loopback (127.0.0.1, ::1, ::ffff:127.0.0.1), or with plaintext logins allowed, USER/PASS and LOGIN work before TLS', () => {
    for (const [policy, from] of [['tls-or-loopback', '127.0.0.1'], ['tls-or-loopback', '::1'], ['tls-or-loopback', '::ffff:127.0.0.1'], ['allowed', '192.0.2.7']] as const) {
      const host = serveHost(policy);
      const pop = connect(host, 110, from);
      expect(say(host, pop, 'CAPA\r\n')).toMatch(/^USER\r$/m);
      expect(say(host, pop, 'USER bob\r\nPASS pw\r\n')).toMatch(/^\+OK send PASS\r\n\+OK bob has 0 messages/);
      const imap = connect(host, 143, from);
      expect(imap.written).toMatch(/AUTH=PLAIN/);
      expect(say(host, imap, 'a LOGIN bob pw\r\n')).toMatch(/^a OK /);
    }
  });

  it('isLoopback: 127.0.0.0/8, ::1 and IPv4-mapped 127.x only', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '192.0.2.7', '::2', '::ffff:10.0.0.1', '1127.0.0.1', 'fe80::1'].some(isLoopback)).toBe(false);
  });
});
