/**
 * Drives an SmtpClient through a script of server bytes and owner calls, collecting everything the
 * client wrote and a compact summary of its events, so table tests read like transcripts. The same
 * script can be fed whole or one byte at a time (docs/architecture.md: both must give the same result).
 */
import { SmtpClient, type SmtpClientEvent, type SmtpClientOptions, type SmtpClientTransaction } from '../../../src/protocols/smtp/client.js';
import type { Envelope } from '../../../src/protocols/smtp/types.js';

export type Step =
  | { server: string }
  | { eof: true }
  | { timeoutAt: number }
  | { tls: true }
  | { enqueue: SmtpClientTransaction }
  | { finish: true }
  | { now: number };

export interface RunResult {
  output: string;
  events: string[];
  rawEvents: SmtpClientEvent[];
  client: SmtpClient;
  deadlines: Array<number | null>;
}

export function envelope(from: string, recipients: string[], extra: Partial<Envelope> = {}): Envelope {
  return {
    from,
    recipients: recipients.map((address) => ({ address, dsn: { notify: null, orcpt: null } })),
    body: null,
    smtpUtf8: false,
    requireTls: false,
    declaredSize: null,
    dsn: { ret: null, envid: null },
    ...extra,
  };
}

export function tx(id: string, recipients: string[], message = 'Subject: hi\r\n\r\nhello\r\n', from = 'alice@a.example'): SmtpClientTransaction {
  return { id, envelope: envelope(from, recipients), message: new TextEncoder().encode(message) };
}

/** One line per event: "done t1 bob@b=accepted/250/data-done carol@b=failed/550/rcpt", "closed quit/quit". */
export function summarise(event: SmtpClientEvent): string {
  switch (event.type) {
    case 'ready':
      return `ready secure=${event.secure} auth=${event.authenticated}`;
    case 'starttls':
      return 'starttls';
    case 'authenticated':
      return `authenticated ${event.mechanism}`;
    case 'transaction-done':
      return `done ${event.id} ${event.recipients.map((r) => `${r.address}=${r.outcome}/${r.reply?.code ?? '-'}/${r.stage}`).join(' ')}`.trimEnd();
    case 'closed':
      return `closed ${event.reason}/${event.stage}`;
  }
}

export function run(options: SmtpClientOptions, steps: Step[], byteAtATime = false, startMs = 0): RunResult {
  const client = new SmtpClient(options);
  const decoder = new TextDecoder('latin1');
  let output = '';
  const rawEvents: SmtpClientEvent[] = [];
  const deadlines: Array<number | null> = [];
  let nowMs = startMs;
  const drain = () => {
    for (const chunk of client.takeOutput()) output += decoder.decode(chunk);
    rawEvents.push(...client.takeEvents());
    deadlines.push(client.nextTimeoutMs());
  };
  const pre = steps.filter((s) => 'enqueue' in s || 'finish' in s);
  for (const step of pre) {
    if ('enqueue' in step) client.enqueue(step.enqueue);
    else client.finish();
  }
  client.start(nowMs);
  drain();
  for (const step of steps) {
    if ('enqueue' in step || 'finish' in step) continue;
    if ('now' in step) nowMs = step.now;
    else if ('server' in step) {
      const bytes = new TextEncoder().encode(step.server);
      if (byteAtATime) for (const byte of bytes) client.receive(Uint8Array.of(byte), nowMs);
      else client.receive(bytes, nowMs);
    } else if ('eof' in step) client.receiveEof(nowMs);
    else if ('timeoutAt' in step) {
      nowMs = step.timeoutAt;
      client.onTimeout(nowMs);
    } else if ('tls' in step) client.tlsEstablished(nowMs);
    drain();
  }
  return { output, events: rawEvents.map(summarise), rawEvents, client, deadlines };
}
