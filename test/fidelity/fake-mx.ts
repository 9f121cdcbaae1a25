/**
 * Fake MX hosts for the fidelity suite: a minimal SMTP server (RFC 5321 §4.1: greeting, EHLO/HELO,
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT) on a real loopback socket, 127.0.x.y:25, that plays one
 * behaviour, so a real Postfix can be watched retrying against it.
 *
 * Behaviours (an experiment's clock starts at `start(zeroMs)`, the injection of its first message):
 *   accept    take every message (250);
 *   down      no listener until `untilMs` after zero (for ever without it), so a connect is refused
 *             at once (RST from the kernel); from then on it accepts. A refused connection never
 *             reaches this process: the harness learns of it from Postfix's log and the DNS log;
 *   close     accept the TCP connection and close it before any greeting;
 *   greeting  answer the greeting with `code text` (421, 554 …) and close (RFC 5321 §3.1);
 *   greylist  answer RCPT with `code text` (451 4.7.1 by default) for the first `delayMs` after the
 *             first attempt of each (client address, sender, recipient) triplet, then accept;
 *   rcpt      answer every RCPT with `code text` (550 5.1.1 …).
 * Every connection is logged with a wall-clock timestamp (ms); each accepted message is kept, so a
 * fake can stand in for the sender's MX and catch the bounces.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type Behaviour =
  | { kind: 'accept' }
  | { kind: 'down'; untilMs?: number }
  | { kind: 'close' }
  | { kind: 'greeting'; code: number; text: string }
  | { kind: 'greylist'; delayMs: number; code?: number; text?: string }
  | { kind: 'rcpt'; code: number; text: string };

/** One connection as the fake saw it. */
export interface FakeConnection {
  host: string;
  atMs: number;
  /** The last reply code the fake sent (220 … 250 / 4xx / 5xx), or null when it closed first. */
  lastReply: string | null;
  mailFrom: string | null;
  rcpts: string[];
  /** True when a message was taken (250 to the final dot). */
  accepted: boolean;
}

export interface ReceivedMessage {
  host: string;
  atMs: number;
  mailFrom: string;
  rcpts: string[];
  data: string;
}

const wallMs = () => performance.timeOrigin + performance.now();

export class FakeMx {
  readonly connections: FakeConnection[] = [];
  readonly received: ReceivedMessage[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly greylistSeen = new Map<string, number>();
  private openTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly host: string,
    readonly address: string,
    readonly behaviour: Behaviour,
    readonly port = 25,
  ) {}

  /** Starts the behaviour's clock at `zeroMs` (wall ms); a `down` fake opens its listener later. */
  async start(zeroMs: number): Promise<void> {
    if (this.behaviour.kind !== 'down') return this.listen();
    const untilMs = this.behaviour.untilMs;
    if (untilMs === undefined) return;
    const delayMs = Math.max(0, zeroMs + untilMs - wallMs());
    this.openTimer = setTimeout(() => {
      this.openTimer = null;
      if (!this.stopped) void this.listen();
    }, delayMs);
  }

  private listen(): Promise<void> {
    const server = createServer((socket) => this.session(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.openTimer !== null) clearTimeout(this.openTimer);
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise((resolve) => server.close(resolve));
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection: FakeConnection = { host: this.host, atMs: wallMs(), lastReply: null, mailFrom: null, rcpts: [], accepted: false };
    this.connections.push(connection);
    const reply = (line: string) => {
      connection.lastReply = line;
      socket.write(`${line}\r\n`);
    };
    const behaviour = this.behaviour;
    if (behaviour.kind === 'close') {
      socket.destroy();
      return;
    }
    if (behaviour.kind === 'greeting') {
      reply(`${behaviour.code} ${behaviour.text}`);
      socket.end();
      return;
    }
    reply(`220 ${this.host} ESMTP fake`);
    this.dialogue(socket, connection, reply);
  }

  /** The command loop after the greeting: line by line, with a DATA mode until <CRLF>.<CRLF>. */
  private dialogue(socket: Socket, connection: FakeConnection, reply: (line: string) => void): void {
    let buffer = '';
    let data: string[] | null = null;
    let rcptOk: string[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line !== '.') {
            data.push(line.startsWith('.') ? line.slice(1) : line);
            continue;
          }
          this.received.push({ host: this.host, atMs: wallMs(), mailFrom: connection.mailFrom ?? '', rcpts: rcptOk, data: data.join('\r\n') });
          connection.accepted = true;
          data = null;
          rcptOk = [];
          reply('250 2.0.0 Ok: queued');
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply(`250-${this.host}\r\n250 8BITMIME`);
        else if (verb === 'HELO') reply(`250 ${this.host}`);
        else if (verb === 'MAIL') {
          connection.mailFrom = pathOf(line);
          rcptOk = [];
          reply('250 2.1.0 Ok');
        } else if (verb === 'RCPT') {
          const rcpt = pathOf(line);
          connection.rcpts.push(rcpt);
          const refusal = this.rcptRefusal(socket, connection.mailFrom ?? '', rcpt);
          if (refusal === null) rcptOk.push(rcpt);
          reply(refusal ?? '250 2.1.5 Ok');
        } else if (verb === 'DATA') {
          if (rcptOk.length === 0) reply('554 5.5.1 Error: no valid recipients');
          else {
            data = [];
            reply('354 End data with <CR><LF>.<CR><LF>');
          }
        } else if (verb === 'RSET' || verb === 'NOOP') reply('250 2.0.0 Ok');
        else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
        } else reply('502 5.5.2 Error: command not recognized');
      }
    });
  }

  /** The refusal of a RCPT under this behaviour, or null to accept it. */
  private rcptRefusal(socket: Socket, sender: string, rcpt: string): string | null {
    const behaviour = this.behaviour;
    if (behaviour.kind === 'rcpt') return `${behaviour.code} ${behaviour.text}`;
    if (behaviour.kind !== 'greylist') return null;
    const key = `${socket.remoteAddress}|${sender.toLowerCase()}|${rcpt.toLowerCase()}`;
    const now = wallMs();
    const first = this.greylistSeen.get(key);
    if (first === undefined) this.greylistSeen.set(key, now);
    if (first !== undefined && now - first >= behaviour.delayMs) return null;
    return `${behaviour.code ?? 451} ${behaviour.text ?? '4.7.1 Greylisted, try again later'}`;
  }
}

/** The address inside `MAIL FROM:<…>` / `RCPT TO:<…>` (parameters after it ignored). */
function pathOf(line: string): string {
  const match = /<([^>]*)>/.exec(line);
  return match?.[1] ?? '';
}
