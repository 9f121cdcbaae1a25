/**
 * What a test server (`startServer`, server.ts) has filed into its mailboxes, for `messages()` and
 * `waitForMessage(filter, { timeoutMs })`.
 *
 * Theory of operation. The served host's mail log tells every observer of each landing as the MDA
 * commits it (`mail.deliver`; docs/delivery.md W1, W2): at that moment the folder's newest message (the
 * highest UID, RFC 3501 §2.3.1.1 — UIDs ascend) is the one just filed, so its bytes are copied then, as
 * filed, whatever an IMAP or POP3 client does to the mailbox afterwards. mailparser reads them (it is
 * asynchronous), and each filing is kept in the order the landings happened. A waiter is resolved by the
 * first filing that matches, already kept or arriving later; its timeout is an event on the served
 * host's kernel, whose clock follows the wall clock (src/bridge/clock.ts), so nothing here reads the
 * time. When it passes, the waiter is rejected with a listing of what did arrive.
 */
import { type Headers, type ParsedMail, simpleParser } from 'mailparser';
import type { ServeHost } from '../bridge/serve-host.js';
import type { Delivered, MailEvent } from '../mail/events/index.js';
import type { TimerId } from '../sim/index.js';

/** One message as it was filed into a local mailbox: one per recipient. */
export interface FiledMessage {
  /** The recipient it was filed for: the envelope's RCPT TO address. */
  readonly to: string;
  /** The envelope sender (MAIL FROM, as the Return-Path the MDA added); `''` for the null sender of a bounce. */
  readonly from: string;
  /** The Subject, decoded (RFC 2047); `''` when there is none. */
  readonly subject: string;
  /** Every header, as mailparser reads them (lower-case names). */
  readonly headers: Headers;
  /** The message as filed (its bytes read as UTF-8), with the Return-Path the MDA added first (docs/delivery.md T2). */
  readonly raw: string;
  /** The whole message as mailparser reads it: text, html, attachments, addresses. */
  readonly parsed: ParsedMail;
  /** The mailbox's user and the folder it was filed in (`INBOX`, or a filter's folder). */
  readonly user: string;
  readonly folder: string;
  /** The message's Message-ID as the queue knows it. */
  readonly messageId: string;
}

/** A field of a filter: a string must be equal (addresses without regard to case), a RegExp must match. */
export type FieldMatcher = string | RegExp;

/** Which message to wait for: a predicate, or fields that must all match. */
export type MessageFilter = ((message: FiledMessage) => boolean) | { to?: FieldMatcher; from?: FieldMatcher; subject?: FieldMatcher };

interface Waiter {
  filter: MessageFilter;
  resolve(message: FiledMessage): void;
  reject(error: Error): void;
  timer: TimerId | null;
}

const utf8 = new TextDecoder();

/** Lines of a timeout's listing, at most; the rest is counted. */
const listingLinesMax = 20;

/** Keeps what one serve host files, and the tests waiting for it. */
export class FiledMessages {
  private readonly filed: FiledMessage[] = [];
  private readonly parsing = new Set<Promise<void>>();
  private readonly waiters = new Set<Waiter>();
  /** Filings that could not be read back or parsed: `messages()` fails with them rather than hide a message. */
  private readonly problems: string[] = [];
  private readonly unobserve: () => void;
  private closed = false;

  constructor(private readonly host: ServeHost) {
    this.unobserve = host.log.observe((event) => this.heard(event));
  }

  /** Everything filed so far, in the order it landed (waits for the parses under way). */
  async all(): Promise<FiledMessage[]> {
    while (this.parsing.size > 0) await Promise.all(this.parsing);
    if (this.problems.length > 0) throw new Error(`messages(): ${this.problems.join('; ')}`);
    return [...this.filed];
  }

  /** The first message matching `filter`, filed already or within `timeoutMs`. */
  waitFor(filter: MessageFilter, timeoutMs: number): Promise<FiledMessage> {
    let found: FiledMessage | undefined;
    try {
      found = this.filed.find((message) => matches(filter, message));
    } catch (error) {
      return Promise.reject(error);
    }
    if (found !== undefined) return Promise.resolve(found);
    if (this.closed) return Promise.reject(new Error('waitForMessage: the server is closed'));
    return new Promise<FiledMessage>((resolve, reject) => {
      const waiter: Waiter = { filter, resolve, reject, timer: null };
      this.waiters.add(waiter);
      this.host.clock.advance();
      waiter.timer = this.host.sim.at(this.host.clock.nowMs() + timeoutMs, () => this.timedOut(waiter, timeoutMs));
      this.host.clock.advance();
    });
  }

  /** Stops listening; waiters still waiting are rejected. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unobserve();
    for (const waiter of this.waiters) this.settle(waiter).reject(new Error(`waitForMessage: the server was closed before a message matching ${describeFilter(waiter.filter)} arrived`));
  }

  private heard(event: MailEvent): void {
    if (event.kind !== 'mail.deliver') return;
    let bytes: Uint8Array | null;
    try {
      bytes = this.bytesOf(event);
    } catch (error) {
      // The observer runs inside the MDA's step: a failure here must not become the server's.
      this.problems.push(`the message for ${event.to} could not be read back: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (bytes === null) return;
    const raw = utf8.decode(bytes);
    const parse: Promise<void> = simpleParser(Buffer.from(bytes))
      .then(
        (parsed) => this.keep(event, raw, parsed),
        (error: unknown) => {
          this.problems.push(`mailparser could not read the message for ${event.to}: ${error instanceof Error ? error.message : String(error)}`);
        },
      )
      .finally(() => this.parsing.delete(parse));
    this.parsing.add(parse);
  }

  /** The bytes of the message just committed: the newest of its folder. */
  private bytesOf(event: Delivered): Uint8Array | null {
    const user = this.host.config.users.find((candidate) => candidate.name === event.user);
    const folder = user === undefined ? null : (this.host.local?.storeOf(user).folder(event.folder) ?? null);
    const newest = folder?.messages().at(-1);
    if (folder === null || folder === undefined || newest === undefined) return null;
    return folder.read(newest.uid);
  }

  private keep(event: Delivered, raw: string, parsed: ParsedMail): void {
    const returnPath = /^Return-Path:[ \t]*<([^>]*)>/im.exec(raw);
    const message: FiledMessage = {
      to: event.to,
      from: returnPath?.[1] ?? '',
      subject: parsed.subject ?? '',
      headers: parsed.headers,
      raw,
      parsed,
      user: event.user,
      folder: event.folder,
      messageId: event.messageId,
    };
    this.filed.push(message);
    for (const waiter of this.waiters) {
      try {
        if (matches(waiter.filter, message)) this.settle(waiter).resolve(message);
      } catch (error) {
        this.settle(waiter).reject(error instanceof Error ? error : new Error(String(error))); // the test's own filter threw
      }
    }
  }

  private timedOut(waiter: Waiter, timeoutMs: number): void {
    if (!this.waiters.has(waiter)) return;
    waiter.timer = null;
    this.settle(waiter).reject(new Error(`waitForMessage: no message matching ${describeFilter(waiter.filter)} within ${timeoutMs} ms; ${describeFiled(this.filed)}`));
  }

  /** Takes a waiter out (and its timeout off the kernel) before it is resolved or rejected. */
  private settle(waiter: Waiter): Waiter {
    this.waiters.delete(waiter);
    if (waiter.timer !== null) this.host.sim.cancel(waiter.timer);
    return waiter;
  }
}

/** Whether a filed message passes a filter. */
function matches(filter: MessageFilter, message: FiledMessage): boolean {
  if (typeof filter === 'function') return filter(message);
  return fieldMatches(filter.to, message.to, true) && fieldMatches(filter.from, message.from, true) && fieldMatches(filter.subject, message.subject, false);
}

function fieldMatches(matcher: FieldMatcher | undefined, value: string, isAddress: boolean): boolean {
  if (matcher === undefined) return true;
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0; // a /g or /y RegExp keeps state between tests
    return matcher.test(value);
  }
  return isAddress ? matcher.toLowerCase() === value.toLowerCase() : matcher === value;
}

function describeFilter(filter: MessageFilter): string {
  if (typeof filter === 'function') return `the filter function${filter.name ? ` ${filter.name}` : ''}`;
  const fields = (['to', 'from', 'subject'] as const).flatMap((key) => {
    const matcher = filter[key];
    return matcher === undefined ? [] : [`${key}: ${matcher instanceof RegExp ? String(matcher) : JSON.stringify(matcher)}`];
  });
  return fields.length === 0 ? '{} (any message)' : `{ ${fields.join(', ')} }`;
}

/** What did arrive, one line per message (the listing of a timeout). */
function describeFiled(filed: readonly FiledMessage[]): string {
  if (filed.length === 0) return 'nothing was filed';
  const lines = filed.slice(0, listingLinesMax).map((m) => `  - to ${m.to} from ${m.from === '' ? '<>' : m.from} subject ${JSON.stringify(m.subject)} (${m.user}/${m.folder})`);
  if (filed.length > listingLinesMax) lines.push(`  … and ${filed.length - listingLinesMax} more`);
  return `${filed.length} filed:\n${lines.join('\n')}`;
}
