/**
 * The users' mail client (MUA) for the scenario's `send` traffic (docs/reference.md §7): it writes the
 * message (From, To, Subject, Date, Message-ID, MIME-Version, the body or a generated one of `size`
 * bytes) and submits it: on 587 with STARTTLS then AUTH as the sender's local part (RFC 6409), on 465
 * with implicit TLS (RFC 8314), or unauthenticated on 25 straight to an MTA, as a script would.
 *
 * What it was told is recorded: a 2xx is the MSA's acceptance (the MSA logs the hop); a 5xx is a
 * rejection (no DSN is owed). A temporary failure (4xx, refused, timeout, a lost line) is retried like
 * an outbox does, `submitRetryMs` apart, `submitAttemptsMax` times, then recorded as a rejection with
 * the last reason. A line lost after the final dot is retried too — which is how a submission can be
 * duplicated (RFC 1047, docs/delivery.md E3).
 */
import { utf8Bytes } from '../protocols/bytes.js';
import type { StubResolver } from '../dns/index.js';
import type { Host } from '../net/host.js';
import { localRefusal } from '../protocols/smtp/client.js';
import type { SmtpClientOptions } from '../protocols/smtp/client-types.js';
import { plainMailParams } from '../protocols/smtp/types.js';
import { replyLine } from '../mail/status.js';
import type { HostConfig, SendSpec } from './config.js';
import { rfc5322DateOf, SIM_EPOCH_MS } from '../sim/calendar.js';
import type { RandomStream, Simulator } from '../sim/index.js';
import type { MailLog } from '../mail/log.js';
import { runSmtpSession } from './smtp-client-session.js';

export const submitRetryMs = 60_000;
export const submitAttemptsMax = 5;
/** Generated bodies are lines of this many characters (plus CRLF), under RFC 5322's 78. */
const generatedLineChars = 70;

export interface MuaWorld {
  sim: Simulator;
  host: Host;
  resolver: StubResolver;
  log: MailLog;
  hostConfig(name: string): HostConfig | undefined;
  addressOf(hostName: string): string | undefined;
}


export class Mua {
  private readonly random: RandomStream;
  private sent = 0;
  /** The last client options of each `send` item, with the server config they were made for (`clientOptionsFor`). */
  private readonly optionsBySpec = new WeakMap<SendSpec, { via: HostConfig | undefined; options: SmtpClientOptions }>();

  constructor(private readonly world: MuaWorld) {
    this.random = world.sim.rng.stream('mua');
  }

  /** Writes and submits one message of a `send` item. */
  send(spec: SendSpec, sequence: number): void {
    const { sim, log } = this.world;
    this.sent++;
    const fromDomain = spec.from.slice(spec.from.lastIndexOf('@') + 1);
    const messageId = `<${sim.nowMs}.${this.sent}.${this.random.hex(8)}@${fromDomain || 'mailsim.invalid'}>`;
    const subject = spec.subject ?? `Message ${sequence + 1}`;
    const message = this.compose(spec, messageId, subject);
    log.record({ kind: 'mail.submit', messageId, from: spec.from, to: spec.to, subject });
    this.submit(spec, messageId, message, 1);
  }

  private compose(spec: SendSpec, messageId: string, subject: string): Uint8Array {
    const headers = [
      `From: <${spec.from}>`,
      `To: ${spec.to.map((address) => `<${address}>`).join(', ')}`,
      `Subject: ${subject}`,
      `Date: ${rfc5322DateOf(SIM_EPOCH_MS + this.world.sim.nowMs)}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...spec.headers.map((header) => `${header.name}: ${header.value}`),
    ];
    return messageBytes(headers, spec.body, spec.sizeBytes ?? 0);
  }

  private submit(spec: SendSpec, messageId: string, message: Uint8Array, attempt: number): void {
    this.target(spec, (target) => {
      if (target === null) {
        this.transient(spec, messageId, message, attempt, 'no route to a submission server');
        return;
      }
      const client = this.clientOptionsFor(spec, this.world.hostConfig(target.host));
      runSmtpSession(
        {
          sim: this.world.sim,
          from: this.world.host,
          address: target.address,
          port: spec.port,
          connectTimeoutMs: 30_000,
          client,
          transactions: [
            {
              id: messageId,
              envelope: {
                from: spec.from,
                recipients: spec.to.map((address) => ({ address, dsn: { notify: spec.notify, orcpt: null } })),
                declaredSize: null,
                ...plainMailParams(),
                requireTls: spec.requireTls,
              },
              message,
            },
          ],
          isAlive: () => true,
        },
        (outcome) => {
          if (outcome.kind === 'connect-failed') {
            this.transient(spec, messageId, message, attempt, `connect to ${target.host}:${spec.port}: ${outcome.failure}`);
            return;
          }
          const transaction = outcome.transactions[0];
          if (transaction === undefined) {
            const reply = outcome.closeReply;
            const reason = reply !== null ? replyLine(reply) : `${outcome.closeReason} at ${outcome.closeStage}`;
            if (reply !== null && reply.code >= 500) for (const address of spec.to) this.world.log.record({ kind: 'mail.reject', messageId, to: address, reply: reason, host: target.host });
            else this.transient(spec, messageId, message, attempt, reason);
            return;
          }
          const retry: string[] = [];
          for (const recipient of transaction.recipients) {
            const reason = recipient.reply !== null ? replyLine(recipient.reply) : describeLocalRefusal(recipient.detail ?? recipient.stage, message.length);
            if (recipient.outcome === 'failed') this.world.log.record({ kind: 'mail.reject', messageId, to: recipient.address, reply: reason, host: target.host });
            else if (recipient.outcome !== 'accepted') retry.push(recipient.address);
          }
          if (retry.length > 0) this.transient({ ...spec, to: retry }, messageId, message, attempt, 'temporary failure');
        },
      );
    });
  }

  private transient(spec: SendSpec, messageId: string, message: Uint8Array, attempt: number, reason: string): void {
    if (attempt >= submitAttemptsMax) {
      for (const address of spec.to) this.world.log.record({ kind: 'mail.reject', messageId, to: address, reply: `gave up after ${attempt} submission attempts: ${reason}`, host: null });
      return;
    }
    this.world.sim.after(submitRetryMs, () => this.submit(spec, messageId, message, attempt + 1));
  }

  /**
   * `clientOptions(spec, via)`, made once per `send` item and server: every message of a bulk item
   * submits through the same server with the same options, which the client machine only reads.
   */
  clientOptionsFor(spec: SendSpec, via: HostConfig | undefined): SmtpClientOptions {
    const kept = this.optionsBySpec.get(spec);
    if (kept !== undefined && kept.via === via) return kept.options;
    const options = this.clientOptions(spec, via);
    this.optionsBySpec.set(spec, { via, options });
    return options;
  }

  /**
   * How the client talks to the submission server: on 587 STARTTLS (unless the server has no TLS) and
   * AUTH (RFC 6409), on 465 implicit TLS and AUTH (RFC 8314), on 25 opportunistic STARTTLS, no AUTH.
   */
  clientOptions(spec: SendSpec, via: HostConfig | undefined): SmtpClientOptions {
    const authenticates = spec.port === 587 || spec.port === 465;
    return {
      heloName: 'mua.invalid',
      tls: spec.port === 587 ? (via?.tls === false ? 'none' : 'required') : spec.port === 465 ? 'none' : 'opportunistic',
      implicitTls: spec.port === 465,
      auth: authenticates ? this.credentials(spec.from, via) : null,
    };
  }

  private credentials(from: string, via: HostConfig | undefined): { user: string; password: string } | null {
    const localPart = from.slice(0, from.lastIndexOf('@'));
    const user = via?.users.find((u) => u.name.toLowerCase() === localPart.toLowerCase() || u.addresses.includes(from));
    return user?.password ? { user: user.name, password: user.password } : null;
  }

  /** The submission server: `via`, or on port 25 without one, the best MX of the first recipient. */
  private target(spec: SendSpec, callback: (target: { host: string; address: string } | null) => void): void {
    if (spec.via !== null) {
      const address = this.world.addressOf(spec.via);
      callback(address === undefined ? null : { host: spec.via, address });
      return;
    }
    const first = spec.to[0] ?? '';
    const domain = first.slice(first.lastIndexOf('@') + 1);
    this.world.resolver.resolveMx(domain, (mx) => {
      const best = [...mx.mx].sort((a, b) => a.preference - b.preference)[0];
      const name = best?.exchange ?? domain;
      this.world.resolver.resolveAddresses(name, (addresses) => {
        const address = addresses.addresses[0];
        callback(address === undefined ? null : { host: name, address });
      });
    });
  }
}

/** Why the client itself refused to send (no server reply to quote), in words a user reads in a report. */
function describeLocalRefusal(detail: string, messageBytes: number): string {
  switch (detail) {
    case localRefusal.tooLarge:
      return `not sent: the message (${messageBytes} bytes) is larger than the server's SIZE limit (RFC 1870)`;
    case localRefusal.smtpUtf8:
      return 'not sent: the message needs SMTPUTF8 and the server does not offer it (RFC 6531)';
    case localRefusal.requireTls:
      return 'not sent: the message requires TLS (REQUIRETLS) and the server does not offer REQUIRETLS over TLS (RFC 8689)';
    default:
      return detail;
  }
}

const bodyPattern = 'The quick brown fox jumps over the lazy dog. 0123456789 mailsim body. ';
/** Twice the pattern, made once: each line is a window of it (a fresh concatenation per line cost more than the line). */
const bodyPatternTwice = bodyPattern + bodyPattern;

/**
 * The message: the header lines, an empty line, and the body given (line ends made CRLF) or one
 * generated of `sizeBytes`. A generated body is the same for the same size, so its bytes are made
 * once (`generatedBodyBytes`) and copied after the encoded header, not built and encoded per message;
 * equal to `utf8Bytes(header + body)` (test/nodes/pure/mua-body.test.ts).
 */
export function messageBytes(headerLines: readonly string[], body: string | null, sizeBytes: number): Uint8Array {
  const head = `${headerLines.join('\r\n')}\r\n\r\n`;
  if (body !== null) {
    let text = body.replace(/\r?\n/g, '\r\n');
    if (!text.endsWith('\r\n')) text += '\r\n';
    return utf8Bytes(head + text);
  }
  const generated = generatedBodyBytes(sizeBytes);
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = new Uint8Array(headLength + generated.length);
  utf8.encodeInto(head, out);
  out.set(generated, headLength);
  return out;
}

const utf8 = new TextEncoder();
/** The last generated body's bytes, by size (a run's sends mostly share one size). Never handed out: copied. */
let lastGenerated: { sizeBytes: number; bytes: Uint8Array } | null = null;

/** `generatedBody(sizeBytes)` as bytes (it is ASCII), remembered for the last size asked. */
export function generatedBodyBytes(sizeBytes: number): Uint8Array {
  if (lastGenerated === null || lastGenerated.sizeBytes !== sizeBytes) lastGenerated = { sizeBytes, bytes: utf8.encode(generatedBody(sizeBytes)) };
  return lastGenerated.bytes;
}

/** A deterministic text body of exactly `sizeBytes` bytes (CRLF lines). */
export function generatedBody(sizeBytes: number): string {
  let out = '';
  while (out.length + generatedLineChars + 2 <= sizeBytes) {
    const offset = (out.length / (generatedLineChars + 2)) % bodyPattern.length;
    out += `${bodyPatternTwice.slice(offset, offset + generatedLineChars)}\r\n`;
  }
  const rest = sizeBytes - out.length;
  if (rest >= 2) out += `${'x'.repeat(rest - 2)}\r\n`;
  else if (rest === 1) out = out.length > 0 ? `${out.slice(0, -2)}x\r\n` : 'x';
  return out;
}
