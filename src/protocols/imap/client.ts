/**
 * The IMAP client machine behind the scenario's `fetch` action (docs/reference.md §7), sans-IO.
 *
 * Script: greeting → [STARTTLS, when asked; the owner runs the handshake and calls tlsEstablished] →
 * LOGIN → SELECT folder → FETCH 1:n (UID RFC822.SIZE FLAGS BODY[]) → LOGOUT. Fetching BODY[] (not
 * BODY.PEEK) makes the server set \Seen (RFC 3501 §6.4.5); nothing is ever deleted. An empty mailbox
 * skips the FETCH. Every message arrives as a `message` event, and the run ends with one `done` event
 * (ok, or the error: a NO/BAD, BYE, timeout, a dropped connection).
 *
 * Responses are framed by the same ImapFramer as commands (literals need no continuation from this
 * side), and FETCH data is read with the same tokenizer. A command that needs a synchronising literal
 * (a password with CR/LF or 8-bit text, without LITERAL+) waits for the server's "+".
 */
import type { SansIoMachine, TlsCapable } from '../machine.js';
import type { ImapCommand } from './command.js';
import { type FrameSegment, ImapFramer } from './framer.js';
import { encodeMailboxName } from '../../store/modifiedUtf7.js';
import { serializeCommand } from './serializer.js';
import { type ImapArg, tokenize } from './tokenizer.js';

export interface ImapClientLimits {
  /** Largest message (literal) accepted in a response. */
  messageBytesMax: number;
  /** Longest response text, literals excluded. */
  responseTextBytesMax: number;
  /** Messages fetched in one run (FETCH 1:messagesMax). */
  messagesMax: number;
}

export const DEFAULT_CLIENT_LIMITS: ImapClientLimits = {
  messageBytesMax: 64 * 1024 * 1024,
  responseTextBytesMax: 1024 * 1024,
  messagesMax: 100_000,
};

export interface ImapClientOptions {
  user: string;
  password: string;
  /** Default INBOX. */
  folder?: string;
  /** Issue STARTTLS before logging in (RFC 3501 §6.2.1). */
  startTls?: boolean;
  /** Time allowed for each server response (greeting included). */
  commandTimeoutMs?: number;
  limits?: Partial<ImapClientLimits>;
}

export interface FetchedMessage {
  uid: number;
  size: number;
  flags: string[];
  bytes: Uint8Array;
}

export type ImapClientEvent =
  | { type: 'starttls' }
  | { type: 'message'; message: FetchedMessage }
  | { type: 'done'; ok: boolean; messages: FetchedMessage[]; error: string | null };

export const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;

type Step = 'greeting' | 'starttls' | 'tls-handshake' | 'login' | 'select' | 'fetch' | 'logout' | 'done';

export class ImapClient implements SansIoMachine<ImapClientEvent>, TlsCapable {
  private step: Step = 'greeting';
  private readonly framer: ImapFramer;
  private readonly limits: ImapClientLimits;
  private readonly timeoutMs: number;
  private output: Uint8Array[] = [];
  private events: ImapClientEvent[] = [];
  private capabilities: string[] = [];
  private tagCounter = 0;
  private currentTag = '';
  /** Chunks of the current command still waiting for a "+" (synchronising literals). */
  private waitingChunks: Uint8Array[] = [];
  private exists = 0;
  private readonly messages: FetchedMessage[] = [];
  private deadlineMs: number | null;
  private finished = false;
  private closedValue = false;

  constructor(
    private readonly options: ImapClientOptions,
    nowMs: number,
  ) {
    this.limits = { ...DEFAULT_CLIENT_LIMITS, ...options.limits };
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.framer = new ImapFramer({
      commandTextBytesMax: this.limits.responseTextBytesMax,
      literalBytesMax: this.limits.messageBytesMax,
      literalsPerCommandMax: 16,
    });
    this.deadlineMs = nowMs + this.timeoutMs;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    if (this.paused()) return;
    this.framer.push(bytes);
    for (;;) {
      if (this.paused()) return;
      const item = this.framer.next();
      if (!item) return;
      if (item.type === 'frame') this.handleFrame(item.segments, nowMs);
      else if (item.type === 'error') this.fail(`response refused by the client: ${item.reason}`, false);
      // 'continue' is a command-side notion; the server never waits on the client for literals.
    }
  }

  /** Closed, or waiting for the owner's TLS handshake (nothing is read meanwhile). */
  private paused(): boolean {
    return this.closedValue || this.step === 'tls-handshake';
  }

  receiveEof(_nowMs: number): void {
    if (this.closedValue) return;
    if (this.step !== 'logout') this.finish(false, 'connection closed by the server');
    this.closedValue = true;
  }

  takeOutput(): Uint8Array[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  takeEvents(): ImapClientEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  nextTimeoutMs(): number | null {
    return this.closedValue ? null : this.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.closedValue || this.deadlineMs === null || nowMs < this.deadlineMs) return;
    this.fail(`timeout waiting for the server (${this.step})`, false);
  }

  tlsEstablished(nowMs: number): void {
    if (this.step !== 'tls-handshake') throw new Error('tlsEstablished without a STARTTLS in progress');
    this.framer.reset();
    this.login(nowMs);
  }

  // ---- script ------------------------------------------------------------------------------------

  private command(command: ImapCommand, step: Step, nowMs: number): void {
    const chunks = serializeCommand(command, { literalPlus: this.capabilities.includes('LITERAL+') });
    this.currentTag = command.tag;
    this.step = step;
    this.output.push(chunks[0]!);
    this.waitingChunks = chunks.slice(1);
    this.deadlineMs = nowMs + this.timeoutMs;
  }

  private nextTag(): string {
    this.tagCounter += 1;
    return `C${this.tagCounter}`;
  }

  private login(nowMs: number): void {
    const { user, password } = this.options;
    this.command({ tag: this.nextTag(), name: 'LOGIN', user, password }, 'login', nowMs);
  }

  private advance(nowMs: number): void {
    switch (this.step) {
      case 'greeting':
        if (this.options.startTls) {
          this.command({ tag: this.nextTag(), name: 'STARTTLS' }, 'starttls', nowMs);
          return;
        }
        this.login(nowMs);
        return;
      case 'starttls':
        this.step = 'tls-handshake';
        this.deadlineMs = nowMs + this.timeoutMs;
        this.events.push({ type: 'starttls' });
        return;
      case 'login':
        // The folder's Unicode name goes out in modified UTF-7 (RFC 3501 §5.1.3).
        this.command({ tag: this.nextTag(), name: 'SELECT', mailbox: encodeMailboxName(this.options.folder ?? 'INBOX') }, 'select', nowMs);
        return;
      case 'select': {
        const count = Math.min(this.exists, this.limits.messagesMax);
        if (count === 0) {
          this.logout(nowMs);
          return;
        }
        this.command(
          {
            tag: this.nextTag(),
            name: 'FETCH',
            uid: false,
            set: [{ start: 1, end: count }],
            macro: null,
            attributes: [{ kind: 'UID' }, { kind: 'RFC822.SIZE' }, { kind: 'FLAGS' }, { kind: 'BODY[]', peek: false, section: { part: [], specifier: '', fields: [] }, partial: null }],
          },
          'fetch',
          nowMs,
        );
        return;
      }
      case 'fetch':
        this.finish(true, null);
        this.logout(nowMs);
        return;
      case 'logout':
        this.closedValue = true;
        return;
    }
  }

  private logout(nowMs: number): void {
    if (!this.finished) this.finish(true, null);
    this.command({ tag: this.nextTag(), name: 'LOGOUT' }, 'logout', nowMs);
  }

  private finish(ok: boolean, error: string | null): void {
    if (this.finished) return;
    this.finished = true;
    this.events.push({ type: 'done', ok, messages: [...this.messages], error });
  }

  /** Ends the run with an error; says LOGOUT politely when the connection is still usable. */
  private fail(error: string, politely: boolean, nowMs = 0): void {
    this.finish(false, error);
    if (politely && this.step !== 'logout' && this.step !== 'greeting') {
      this.command({ tag: this.nextTag(), name: 'LOGOUT' }, 'logout', nowMs);
      return;
    }
    this.closedValue = true;
    this.deadlineMs = null;
  }

  // ---- responses ---------------------------------------------------------------------------------

  private handleFrame(segments: FrameSegment[], nowMs: number): void {
    const first = segments[0];
    const line = first && first.kind === 'text' ? first.text : '';
    if (line.startsWith('+')) {
      const next = this.waitingChunks.shift();
      if (next) this.output.push(next);
      return;
    }
    if (line.startsWith('* ')) {
      this.handleUntagged(line, segments, nowMs);
      return;
    }
    const tagged = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line);
    if (!tagged || tagged[1] !== this.currentTag) {
      this.fail(`unexpected response: ${line.slice(0, 200)}`, false);
      return;
    }
    this.readCapabilityCode(tagged[3] ?? '');
    if (tagged[2]!.toUpperCase() !== 'OK') {
      if (this.step === 'logout') this.closedValue = true;
      else this.fail(`${this.step} failed: ${line.slice(0, 200)}`, this.step !== 'starttls', nowMs);
      return;
    }
    this.advance(nowMs);
  }

  private readCapabilityCode(text: string): void {
    const code = /^\[CAPABILITY ([^\]]*)\]/i.exec(text);
    if (code) this.capabilities = code[1]!.toUpperCase().split(' ');
  }

  private handleUntagged(line: string, segments: FrameSegment[], nowMs: number): void {
    const rest = line.slice(2);
    if (this.step === 'greeting') {
      if (/^OK\b/i.test(rest)) {
        this.readCapabilityCode(rest.replace(/^OK ?/i, ''));
        this.advance(nowMs);
      } else this.fail(`server refused the connection: ${line.slice(0, 200)}`, false);
      return;
    }
    if (/^BYE\b/i.test(rest)) {
      if (this.step !== 'logout') this.fail(`server closed the session: ${line.slice(0, 200)}`, false);
      return;
    }
    if (/^CAPABILITY /i.test(rest)) {
      this.capabilities = rest.slice(11).toUpperCase().split(' ');
      return;
    }
    const exists = /^(\d+) EXISTS$/i.exec(rest);
    if (exists) {
      this.exists = Number(exists[1]);
      return;
    }
    const fetch = /^(\d+) FETCH /i.exec(rest);
    if (fetch && this.step === 'fetch') this.readFetch(segments, 2 + fetch[0].length);
  }

  private readFetch(segments: FrameSegment[], offset: number): void {
    const parsed = tokenize(segments, offset);
    const list = parsed.ok ? parsed.args[0] : undefined;
    if (list?.type !== 'list') return;
    let uid: number | null = null;
    let size = 0;
    let flags: string[] = [];
    let body: Uint8Array | null = null;
    for (let i = 0; i + 1 < list.items.length; i += 2) {
      const name = list.items[i]!;
      const value = list.items[i + 1]!;
      if (name.type !== 'atom') continue;
      const key = name.value.toUpperCase();
      if (key === 'UID' && value.type === 'atom') uid = Number(value.value);
      else if (key === 'RFC822.SIZE' && value.type === 'atom') size = Number(value.value);
      else if (key === 'FLAGS' && value.type === 'list') flags = value.items.flatMap(atomText);
      else if (key === 'BODY' && name.section?.length === 0 && value.type === 'string') body = value.bytes;
    }
    if (uid === null || body === null) return; // a FETCH FLAGS update, not our data
    const message = { uid, size, flags, bytes: body };
    this.messages.push(message);
    this.events.push({ type: 'message', message });
  }
}

function atomText(arg: ImapArg): string[] {
  return arg.type === 'atom' ? [arg.value] : [];
}
