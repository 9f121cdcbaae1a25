/**
 * Test harness for the SMTP server machine: replays a script of steps (bytes, EOF, decisions, TLS,
 * time) either in the chunks written or one byte at a time, and returns the output text and events,
 * so every table row can be checked both ways (docs/architecture.md "Tests").
 */
import { type SmtpDecision, SmtpServer, type SmtpServerEvent, type SmtpServerOptions } from '../../../src/protocols/smtp/server.js';

export type Step =
  | string
  | Uint8Array
  | { eof: true }
  | { resolve: SmtpDecision }
  | { tls: true }
  | { atMs: number } // advance the clock and call onTimeout
  | { chunked: string }; // always fed in one piece, even in byte mode

export interface Run {
  server: SmtpServer;
  output: string;
  events: SmtpServerEvent[];
}

export const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
const decode = (chunks: Uint8Array[]): string => chunks.map((c) => new TextDecoder('latin1').decode(c)).join('');

export function options(extra: Partial<SmtpServerOptions> = {}): SmtpServerOptions {
  return { hostname: 'mx.example.org', clientAddress: '192.0.2.1', ...extra };
}

export function replay(opts: SmtpServerOptions, steps: Step[], byteAtATime: boolean): Run {
  const server = new SmtpServer(opts);
  let nowMs = 1000;
  const outputs: Uint8Array[] = [];
  const events: SmtpServerEvent[] = [];
  const drain = () => {
    outputs.push(...server.takeOutput());
    events.push(...server.takeEvents());
  };
  server.start(nowMs);
  drain();
  for (const step of steps) {
    if (typeof step === 'string' || step instanceof Uint8Array) {
      const bytes = typeof step === 'string' ? latin1(step) : step;
      if (byteAtATime) for (const b of bytes) server.receive(Uint8Array.of(b), nowMs);
      else server.receive(bytes, nowMs);
    } else if ('chunked' in step) server.receive(latin1(step.chunked), nowMs);
    else if ('eof' in step) server.receiveEof(nowMs);
    else if ('resolve' in step) server.resolve(step.resolve, nowMs);
    else if ('tls' in step) server.tlsEstablished(nowMs);
    else {
      nowMs = step.atMs;
      server.onTimeout(nowMs);
    }
    drain();
  }
  return { server, output: decode(outputs), events };
}

/** Replays both ways, asserts they agree, returns the chunked run. */
export function replayBoth(opts: SmtpServerOptions, steps: Step[]): Run {
  const whole = replay(opts, steps, false);
  const bytewise = replay(opts, steps, true);
  if (whole.output !== bytewise.output) throw new Error(`byte-at-a-time output differs:\n${JSON.stringify(whole.output)}\n${JSON.stringify(bytewise.output)}`);
  const a = JSON.stringify(whole.events, eventReplacer);
  const b = JSON.stringify(bytewise.events, eventReplacer);
  if (a !== b) throw new Error(`byte-at-a-time events differ:\n${a}\n${b}`);
  if (whole.server.state !== bytewise.server.state) throw new Error(`final state differs: ${whole.server.state} / ${bytewise.server.state}`);
  return whole;
}

function eventReplacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `bytes:${new TextDecoder('latin1').decode(value)}` : value;
}

/** The reply lines of an output, split. */
export function replyLines(output: string): string[] {
  return output.split('\r\n').filter((line) => line !== '');
}

/** The last line of each reply (the one with a space after the code). */
export function finalReplyLines(output: string): string[] {
  return replyLines(output).filter((line) => line[3] !== '-');
}

export function codes(output: string): number[] {
  return finalReplyLines(output).map((line) => Number(line.slice(0, 3)));
}

export function messages(events: SmtpServerEvent[]): Array<Extract<SmtpServerEvent, { type: 'message' }>> {
  return events.filter((e): e is Extract<SmtpServerEvent, { type: 'message' }> => e.type === 'message');
}

export const text = (bytes: Uint8Array): string => new TextDecoder('latin1').decode(bytes);

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export const EHLO = 'EHLO client.example.net\r\n';
export const MAIL = 'MAIL FROM:<alice@example.net>\r\n';
export const RCPT = 'RCPT TO:<bob@example.org>\r\n';
