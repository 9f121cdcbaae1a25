/**
 * The POP3 client as a sans-IO machine (RFC 1939, RFC 2449, RFC 2595 §4; docs/reference.md §7 `fetch`).
 *
 * One script, one command at a time (no pipelining): greeting → [STLS → TLS] → USER → PASS → STAT →
 * UIDL → for each message to fetch: RETR (→ DELE unless `keep`) → QUIT. In keep mode only messages
 * whose UIDL is not in `seenUidls` are retrieved (a server without UIDL: all of them). The outcome is
 * one `done` event; deletions count only once QUIT was answered +OK, because the server removes
 * messages in its UPDATE state only (RFC 1939 §6). A -ERR, a timeout or a dropped connection is
 * reported in `done`, never thrown. With `startTls`, a refused STLS ends the session: the client
 * never sends the password in the clear after asking for TLS.
 */
import type { SansIoMachine, TlsCapable } from '../machine.js';
import { textBytes } from '../machine.js';
import { LineFramer } from './lines.js';
import { POP3_CLIENT_LIMITS, type Pop3ClientEvent, type Pop3ClientLimits, type Pop3ClientOptions } from './types.js';

type ClientState = 'greeting' | 'stls' | 'tls-handshake' | 'user' | 'pass' | 'stat' | 'uidl' | 'retr' | 'dele' | 'quit' | 'done';

/** The states whose +OK reply is followed by a multi-line body (RFC 1939 §3). */
const MULTILINE_STATES: ReadonlySet<ClientState> = new Set(['uidl', 'retr']);

export class Pop3ClientMachine implements SansIoMachine<Pop3ClientEvent>, TlsCapable {
  private state: ClientState = 'greeting';
  private readonly limits: Pop3ClientLimits;
  private readonly framer: LineFramer;
  private output: Uint8Array[] = [];
  private events: Pop3ClientEvent[] = [];
  private deadlineMs: number | null;
  /** Lines of the multi-line body being read, or null while waiting for a status line. */
  private body: string[] | null = null;
  private bodyBytes = 0;
  private messageCount = 0;
  private uidlByNumber = new Map<number, string>();
  private plan: number[] = [];
  private current = 0;
  private retrieved = 0;
  private marked = 0;
  /** The first failure, reported in `done` once the session is over. */
  private failure: string | null = null;

  constructor(private readonly options: Pop3ClientOptions) {
    this.limits = { ...POP3_CLIENT_LIMITS, ...options.limits };
    this.framer = new LineFramer(this.limits.responseLineBytesMax);
    this.deadlineMs = options.nowMs + this.limits.replyTimeoutMs;
  }

  /** True when input is not expected: the session is over, or TLS is being negotiated. */
  private paused(): boolean {
    return this.state === 'done' || this.state === 'tls-handshake';
  }

  get closed(): boolean {
    return this.state === 'done';
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    if (this.paused()) return;
    for (const line of this.framer.push(bytes)) {
      // A line may end the session or start the TLS handshake; what follows it is not for us now.
      if (this.paused()) break;
      if (line.overlong) {
        this.finish('response line too long');
        break;
      }
      this.line(line.text, nowMs);
    }
  }

  receiveEof(_nowMs: number): void {
    if (this.state === 'quit' && this.failure === null) this.failure = 'connection closed before the QUIT reply';
    if (this.state !== 'done') this.finish(this.failure ?? 'connection closed');
  }

  takeOutput(): Uint8Array[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  takeEvents(): Pop3ClientEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  nextTimeoutMs(): number | null {
    return this.state === 'done' || this.state === 'tls-handshake' ? null : this.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.state === 'done' || this.deadlineMs === null || nowMs < this.deadlineMs) return;
    this.finish('timeout');
  }

  tlsEstablished(nowMs: number): void {
    if (this.state !== 'tls-handshake') throw new Error('tlsEstablished without a STLS in progress');
    this.framer.reset();
    this.send('USER', this.options.user, 'user', nowMs);
  }

  private send(keyword: string, argument: string | null, next: ClientState, nowMs: number): void {
    this.output.push(textBytes(`${keyword}${argument === null ? '' : ` ${argument}`}\r\n`));
    this.state = next;
    this.deadlineMs = nowMs + this.limits.replyTimeoutMs;
  }

  private finish(error: string | null): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.deadlineMs = null;
    const ok = error === null;
    this.events.push({
      type: 'done',
      ok,
      retrieved: this.retrieved,
      deleted: ok ? this.marked : 0,
      uidls: [...this.uidlByNumber.values()],
      error,
    });
  }

  /** A failure before the end: say QUIT (nothing marked is removed unless QUIT succeeds) and report it. */
  private fail(error: string, nowMs: number): void {
    this.failure ??= error;
    this.marked = 0;
    this.send('QUIT', null, 'quit', nowMs);
  }

  private line(text: string, nowMs: number): void {
    if (this.body !== null) {
      if (text === '.') {
        const lines = this.body;
        this.body = null;
        this.bodyBytes = 0;
        this.multilineDone(lines, nowMs);
        return;
      }
      this.bodyBytes += text.length + 2;
      if (this.bodyBytes > this.limits.responseBytesMax) {
        this.finish('response too large');
        return;
      }
      // RFC 1939 §3: a line starting with the termination octet had one added by the server.
      this.body.push(text.startsWith('.') ? text.slice(1) : text);
      return;
    }
    const positive = text.startsWith('+OK');
    if (!positive && !text.startsWith('-ERR')) {
      this.finish(`unexpected reply: ${text.slice(0, 100)}`);
      return;
    }
    if (positive && MULTILINE_STATES.has(this.state)) {
      this.body = [];
      return;
    }
    this.statusLine(positive, text, nowMs);
  }

  private statusLine(positive: boolean, text: string, nowMs: number): void {
    switch (this.state) {
      case 'greeting':
        if (!positive) this.finish(text);
        else if (this.options.startTls) this.send('STLS', null, 'stls', nowMs);
        else this.send('USER', this.options.user, 'user', nowMs);
        return;
      case 'stls':
        if (!positive) {
          this.fail(`STLS refused: ${text}`, nowMs);
          return;
        }
        this.state = 'tls-handshake';
        this.deadlineMs = null;
        this.events.push({ type: 'starttls' });
        return;
      case 'user':
        if (!positive) {
          this.fail(text, nowMs);
          return;
        }
        this.send('PASS', this.options.password, 'pass', nowMs);
        return;
      case 'pass':
        if (!positive) {
          this.fail(text, nowMs);
          return;
        }
        this.send('STAT', null, 'stat', nowMs);
        return;
      case 'stat': {
        const match = /^\+OK (\d+) \d+/.exec(text);
        if (!positive || !match) {
          this.fail(positive ? `malformed STAT reply: ${text}` : text, nowMs);
          return;
        }
        this.messageCount = Number(match[1]);
        if (this.messageCount === 0) {
          this.send('QUIT', null, 'quit', nowMs);
          return;
        }
        this.send('UIDL', null, 'uidl', nowMs);
        return;
      }
      case 'uidl':
        // -ERR: no UIDL support (it is optional, RFC 1939 §7); every message is fetched.
        this.startPlan(nowMs);
        return;
      case 'retr':
        // The message is gone or unreadable: skip it, as fetchmail does, and go on.
        this.next(nowMs);
        return;
      case 'dele':
        if (positive) this.marked++;
        this.next(nowMs);
        return;
      case 'quit':
        if (!positive && this.failure === null) this.failure = text;
        if (!positive) this.marked = 0;
        this.finish(this.failure);
        return;
      case 'tls-handshake':
      case 'done':
        return;
    }
  }

  private multilineDone(lines: string[], nowMs: number): void {
    if (this.state === 'uidl') {
      for (const line of lines) {
        const match = /^(\d+) ([\x21-\x7e]{1,70})$/.exec(line);
        if (match) this.uidlByNumber.set(Number(match[1]), match[2]!);
      }
      this.startPlan(nowMs);
      return;
    }
    // RETR
    const text = lines.map((line) => `${line}\r\n`).join('');
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.retrieved++;
    this.events.push({ type: 'message', number: this.current, uidl: this.uidlByNumber.get(this.current) ?? null, bytes });
    if (this.options.keep) {
      this.next(nowMs);
      return;
    }
    this.send('DELE', String(this.current), 'dele', nowMs);
  }

  private startPlan(nowMs: number): void {
    const seen = this.options.seenUidls ?? new Set<string>();
    for (let number = 1; number <= this.messageCount; number++) {
      const uidl = this.uidlByNumber.get(number);
      if (this.options.keep && uidl !== undefined && seen.has(uidl)) continue;
      this.plan.push(number);
    }
    this.next(nowMs);
  }

  private next(nowMs: number): void {
    const number = this.plan.shift();
    if (number === undefined) {
      this.send('QUIT', null, 'quit', nowMs);
      return;
    }
    this.current = number;
    this.send('RETR', String(number), 'retr', nowMs);
  }
}
