/**
 * The client and server machines wired back to back in memory (no network, no clock): any message —
 * arbitrary bytes, lines starting with dots, lone dots, long lines within the 1000-octet limit
 * (RFC 5321 §4.5.3.1.6), CRLF-terminated — reaches the server byte-identical after unstuffing (E1, E2),
 * to exactly the recipients given, with and without PIPELINING, over STARTTLS+AUTH, and with the bytes
 * split at random chunk boundaries both ways.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SmtpClient, type SmtpClientEvent, type SmtpClientOptions, type SmtpClientTransaction } from '../../../src/protocols/smtp/client.js';
import { type SmtpServerEvent, type SmtpServerOptions, SmtpServer } from '../../../src/protocols/smtp/server.js';
import type { Envelope } from '../../../src/protocols/smtp/types.js';
import { envelope } from './client-harness.js';

/** Passes of the pump loop; a session of a few transactions needs a few dozen. */
const pumpPassesMax = 10_000;

interface Wired {
  clientEvents: SmtpClientEvent[];
  serverEvents: SmtpServerEvent[];
  delivered: Array<{ envelope: Envelope; message: Uint8Array }>;
}

/** Cuts a chunk into pieces whose sizes cycle through `splits`. */
function pieces(bytes: Uint8Array, splits: number[], cursor: { at: number }): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const size = splits[cursor.at++ % splits.length] ?? bytes.length;
    out.push(bytes.subarray(start, start + size));
    start += size;
  }
  return out;
}

function wire(clientOptions: SmtpClientOptions, serverOptions: SmtpServerOptions, transactions: SmtpClientTransaction[], splits: number[]): Wired {
  const client = new SmtpClient(clientOptions);
  const server = new SmtpServer(serverOptions);
  const clientEvents: SmtpClientEvent[] = [];
  const serverEvents: SmtpServerEvent[] = [];
  const cursor = { at: 0 };
  for (const transaction of transactions) client.enqueue(transaction);
  client.finish();
  server.start(0);
  client.start(0);
  for (let pass = 0; pass < pumpPassesMax; pass++) {
    let moved = false;
    for (const chunk of server.takeOutput()) {
      for (const piece of pieces(chunk, splits, cursor)) if (!client.closed) client.receive(piece, 0);
      moved = true;
    }
    serverEvents.push(...server.takeEvents());
    const fresh = client.takeEvents();
    clientEvents.push(...fresh);
    if (fresh.some((event) => event.type === 'starttls')) {
      // The simulated handshake: both ends are told it completed.
      server.tlsEstablished(0);
      client.tlsEstablished(0);
    }
    for (const chunk of client.takeOutput()) {
      for (const piece of pieces(chunk, splits, cursor)) if (!server.closed) server.receive(piece, 0);
      moved = true;
    }
    if (!moved) {
      if (server.closed && !client.closed) client.receiveEof(0);
      else if (client.closed && !server.closed) server.receiveEof(0);
      else break;
    }
  }
  clientEvents.push(...client.takeEvents());
  serverEvents.push(...server.takeEvents());
  const delivered = serverEvents.flatMap((event) => (event.type === 'message' ? [{ envelope: event.envelope, message: event.message }] : []));
  return { clientEvents, serverEvents, delivered };
}

const CR = 13;
const LF = 10;
/** A line of arbitrary bytes other than CR and LF. */
const lineBytes = (maxLength: number, minLength = 0) =>
  fc.uint8Array({ minLength, maxLength }).map((bytes) => bytes.map((byte) => (byte === CR || byte === LF ? 0x20 : byte)));
const ascii = (text: string) => new TextEncoder().encode(text);
const line = fc.oneof(
  { weight: 3, arbitrary: lineBytes(80) },
  { weight: 2, arbitrary: fc.constantFrom('.', '..', '...', '', '. ', '.\0', '.x', 'From x', '.\t.').map(ascii) },
  { weight: 2, arbitrary: lineBytes(40).map((rest) => Uint8Array.of(0x2e, ...rest)) },
  // 997 octets + a stuffed dot + CRLF = 1000, the most RFC 5321 §4.5.3.1.6 allows.
  { weight: 1, arbitrary: lineBytes(997, 900) },
);
/** CRLF-terminated lines, as a message must be on the wire. */
const message = fc.array(line, { maxLength: 25 }).map((lines) => {
  const parts: number[] = [];
  for (const l of lines) parts.push(...l, CR, LF);
  return Uint8Array.from(parts);
});
const recipients = fc.uniqueArray(
  fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,12}$/), fc.constantFrom('b.example', 'c.example')).map(([local, domain]) => `${local}@${domain}`),
  { minLength: 1, maxLength: 8 },
);
const splits = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 12 });

const serverOptions = (pipelining: boolean, extra: Partial<SmtpServerOptions> = {}): SmtpServerOptions => ({
  hostname: 'mx.b.example',
  clientAddress: '192.0.2.1',
  extensions: { pipelining },
  // The transport must carry any bytes; refusing NULs is a policy of the message (nul-bytes.test.ts).
  nulBytes: 'keep',
  ...extra,
});

function checkDelivered(result: Wired, transactions: SmtpClientTransaction[]): void {
  expect(result.delivered.length).toBeGreaterThanOrEqual(transactions.length);
  // Each message arrives once per transaction it took; together they cover its recipients exactly.
  let next = 0;
  for (const transaction of transactions) {
    const got: string[] = [];
    while (got.length < transaction.envelope.recipients.length) {
      const landed = result.delivered[next++];
      expect(landed, `message ${transaction.id} missing`).toBeDefined();
      expect(Buffer.from(landed!.message).equals(Buffer.from(transaction.message))).toBe(true);
      expect(landed!.envelope.from).toBe(transaction.envelope.from);
      got.push(...landed!.envelope.recipients.map((r) => r.address));
    }
    expect(got).toEqual(transaction.envelope.recipients.map((r) => r.address));
  }
  expect(next).toBe(result.delivered.length);
  const done = result.clientEvents.filter((event) => event.type === 'transaction-done');
  expect(done.map((event) => event.id)).toEqual(transactions.map((t) => t.id));
  for (const event of done) for (const r of event.recipients) expect(r.outcome).toBe('accepted');
  expect(result.clientEvents.at(-1)).toMatchObject({ type: 'closed', reason: 'quit' });
}

const transactionsArb = fc.array(fc.tuple(message, recipients), { minLength: 1, maxLength: 3 }).map((list) =>
  list.map(([bytes, rcpts], index): SmtpClientTransaction => ({ id: `m${index}`, envelope: envelope('alice@a.example', rcpts), message: bytes })),
);

describe('client ⇄ server back to back', () => {
  it('a fixed tricky message is delivered byte-identical (E1, E2, E4 vectors as content)', () => {
    const text = '.\r\n..\r\nSubject: x\r\n\r\n.leading dot\r\n\x00.\r\n. \r\nend\r\n';
    const transaction: SmtpClientTransaction = { id: 't', envelope: envelope('alice@a.example', ['bob@b.example']), message: ascii(text) };
    const result = wire({ heloName: 'client.a.example', tls: 'none' }, serverOptions(true), [transaction], [1]);
    checkDelivered(result, [transaction]);
  });

  it('any message, any recipients, any chunking, PIPELINING on or off (property)', () => {
    fc.assert(
      fc.property(transactionsArb, splits, fc.boolean(), fc.integer({ min: 1, max: 4 }), (transactions, cuts, pipelining, perTransaction) => {
        const result = wire(
          { heloName: 'client.a.example', tls: 'none', recipientsPerTransactionMax: perTransaction },
          serverOptions(pipelining),
          transactions,
          cuts,
        );
        checkDelivered(result, transactions);
      }),
      { numRuns: 150 },
    );
  });

  it('over STARTTLS and AUTH PLAIN / LOGIN, submission mode (property)', () => {
    fc.assert(
      fc.property(transactionsArb, splits, fc.constantFrom('PLAIN' as const, 'LOGIN' as const), (transactions, cuts, mechanism) => {
        const result = wire(
          { heloName: 'client.a.example', tls: 'required', auth: { user: 'alice', password: 'pw', mechanism } },
          serverOptions(true, {
            requireAuth: true,
            authRequiresTls: true,
            extensions: { startTls: true, auth: ['PLAIN', 'LOGIN'] },
            hooks: { onAuth: (_session, credentials) => (credentials.password === 'pw' ? { kind: 'accept' } : { kind: 'reject', reply: { code: 535, enhanced: '5.7.8', lines: ['no'] } }) },
          }),
          transactions,
          cuts,
        );
        expect(result.clientEvents[0]).toEqual({ type: 'starttls' });
        expect(result.clientEvents).toContainEqual({ type: 'authenticated', mechanism });
        checkDelivered(result, transactions);
      }),
      { numRuns: 40 },
    );
  });

  it('452 from the server (recipient limit) splits into further transactions (R4)', () => {
    const rcpts = Array.from({ length: 7 }, (_, i) => `u${i}@b.example`);
    const transaction: SmtpClientTransaction = { id: 't', envelope: envelope('alice@a.example', rcpts), message: ascii('hi\r\n') };
    for (const pipelining of [true, false]) {
      const result = wire({ heloName: 'client.a.example', tls: 'none', recipientsPerTransactionMax: 100 }, serverOptions(pipelining, { limits: { recipientsMax: 3 } }), [transaction], [7]);
      checkDelivered(result, [transaction]);
      expect(result.delivered.map((d) => d.envelope.recipients.length)).toEqual([3, 3, 1]);
    }
  });

  it('recipients the server refuses are failed, the others get the message', () => {
    const transaction: SmtpClientTransaction = { id: 't', envelope: envelope('alice@a.example', ['ok@b.example', 'nobody@b.example', 'ok2@b.example']), message: ascii('hi\r\n') };
    const result = wire(
      { heloName: 'client.a.example', tls: 'none' },
      serverOptions(true, { hooks: { onRcpt: (_s, r) => (r.address.startsWith('nobody') ? { kind: 'reject', reply: { code: 550, enhanced: '5.1.1', lines: ['no such user'] } } : { kind: 'accept' }) } }),
      [transaction],
      [3],
    );
    expect(result.delivered.map((d) => d.envelope.recipients.map((r) => r.address))).toEqual([['ok@b.example', 'ok2@b.example']]);
    const done = result.clientEvents.find((e) => e.type === 'transaction-done');
    expect(done?.type === 'transaction-done' && done.recipients.map((r) => `${r.outcome}/${r.reply?.code}/${r.reply?.enhanced}`)).toEqual([
      'accepted/250/2.0.0',
      'failed/550/5.1.1',
      'accepted/250/2.0.0',
    ]);
  });
});
