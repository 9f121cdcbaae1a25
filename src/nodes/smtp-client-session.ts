/**
 * One outbound SMTP connection, as the MTA (to an MX) and the MUA (to its submission server) make it:
 * connect with the connect timeout (docs/delivery.md §3), run the SMTP client machine over the connection
 * (implicit TLS first on 465, RFC 8314; STARTTLS when the machine asks, RFC 3207), hand it the
 * transactions, and report once: either the connection failed (timeout / refused), or the session
 * ended with the machine's per-transaction results and its close reason. Either way the outcome names
 * the connection (`conn`, the id its `net.*` trace events carry), and a session says whether it ran
 * over TLS (the handshake completed: implicit TLS, or STARTTLS).
 */
import { SmtpClient } from '../protocols/smtp/client.js';
import type {
  SmtpClientCloseReason,
  SmtpClientEvent,
  SmtpClientOptions,
  SmtpClientStage,
  SmtpClientTransaction,
  SmtpRecipientResult,
} from '../protocols/smtp/client-types.js';
import type { SmtpReply } from '../protocols/smtp/types.js';
import type { Simulator } from '../sim/index.js';
import { MachineSession } from './machine-session.js';
import type { ServiceHost, StreamEndpoint } from './stream-endpoint.js';

export interface TransactionResult {
  id: string;
  recipients: SmtpRecipientResult[];
  reply: SmtpReply | null;
}

export type SmtpSessionOutcome =
  | { kind: 'connect-failed'; failure: 'timeout' | 'refused'; conn: string }
  | {
      kind: 'session';
      conn: string;
      /** The TLS handshake completed on the connection (RFC 3207 STARTTLS, or RFC 8314 implicit TLS). */
      tls: boolean;
      /** True once the server's greeting and EHLO went through (a Postfix "session", M5). */
      handshakeDone: boolean;
      /** The server advertised DSN (RFC 3461): the client passed NOTIFY/ORCPT/RET/ENVID on to it. */
      dsnOffered: boolean;
      transactions: TransactionResult[];
      closeReason: SmtpClientCloseReason;
      closeStage: SmtpClientStage;
      closeReply: SmtpReply | null;
      closeDetail: string | null;
      /** Left open for another transaction (`keepOpen`), rather than closed: the close fields are QUIT's. */
      parked?: ParkedSession | null;
    };

export interface SmtpSessionRequest {
  sim: Simulator;
  from: Pick<ServiceHost, 'connect'>;
  address: string;
  port: number;
  connectTimeoutMs: number;
  /** The machine's options; with `implicitTls` the connection is TLS from the first byte (RFC 8314). */
  client: SmtpClientOptions;
  transactions: readonly SmtpClientTransaction[];
  isAlive: () => boolean;
  /**
   * Keep the session open once the transactions are done, instead of QUIT (a connection the MTA caches,
   * docs/delivery.md R15): the outcome then carries it as `parked`, unless it closed.
   */
  keepOpen?: boolean;
}

/**
 * A session left open after its transactions (no QUIT), for another delivery to the same destination
 * (R15). `reuse` probes it with RSET and runs one more transaction, reporting once as `runSmtpSession`
 * does; `close` says QUIT, `hangUp` just closes. It is dead (`isOpen` false) once either side ended it.
 */
export interface ParkedSession {
  readonly conn: string;
  /** When the connection was made (Postfix's smtp_connection_reuse_time_limit counts from it). */
  readonly openedAtMs: number;
  /** Transactions run on it so far. */
  readonly uses: number;
  isOpen(): boolean;
  reuse(transaction: SmtpClientTransaction, keepOpen: boolean, done: (outcome: SmtpSessionOutcome) => void): void;
  /** QUIT, then close (a session not to be kept). */
  close(): void;
  /** Close without QUIT (an expired cached session: Postfix's scache closes the socket). */
  hangUp(): void;
}

export function runSmtpSession(request: SmtpSessionRequest, done: (outcome: SmtpSessionOutcome) => void): void {
  // Known when connect returns: the callbacks run on later events, never inside connect.
  const connId = request.from.connect(
    request.address,
    request.port,
    { timeoutMs: request.connectTimeoutMs },
    {
      onFailed: (failure) => {
        if (request.isAlive()) done({ kind: 'connect-failed', failure, conn: connId });
      },
      onConnected: (conn) => {
        if (request.isAlive()) new ClientConnection(request, connId, conn, done).open();
      },
    },
  );
}

/** One connected SMTP client session: the machine over the connection, and who is told what. */
class ClientConnection implements ParkedSession {
  readonly openedAtMs: number;
  uses = 0;
  private readonly machine: SmtpClient;
  private readonly session: MachineSession<SmtpClientEvent>;
  private handshakeDone = false;
  private dsnOffered = false;
  private closed = false;
  /** The transactions of the current use, the results so far, and whom to tell (null: idle or told). */
  private expected = 0;
  private results: TransactionResult[] = [];
  private keepOpen: boolean;
  private report: ((outcome: SmtpSessionOutcome) => void) | null;

  constructor(
    private readonly request: SmtpSessionRequest,
    readonly conn: string,
    private readonly connection: StreamEndpoint,
    done: (outcome: SmtpSessionOutcome) => void,
  ) {
    this.openedAtMs = request.sim.nowMs;
    // The options as they are, not a copy with implicitTls set: this runs for every connection.
    this.machine = new SmtpClient(request.client);
    this.keepOpen = request.keepOpen === true;
    this.report = done;
    this.expected = request.transactions.length;
    for (const transaction of request.transactions) this.machine.enqueue(transaction);
    if (!this.keepOpen) this.machine.finish();
    this.session = new MachineSession<SmtpClientEvent>(request.sim, this.connection, this.machine, { onEvent: (event, s) => this.onEvent(event, s) }, request.isAlive);
  }

  open(): void {
    this.uses = 1;
    if (this.request.client.implicitTls === true) this.connection.startTls(() => this.request.isAlive() && this.session.start(this.machine));
    else this.session.start(this.machine);
  }

  isOpen(): boolean {
    return !this.closed && this.request.isAlive();
  }

  reuse(transaction: SmtpClientTransaction, keepOpen: boolean, done: (outcome: SmtpSessionOutcome) => void): void {
    if (!this.isOpen() || this.report !== null) throw new Error('bug: reusing a session that is closed or busy');
    this.uses++;
    this.keepOpen = keepOpen;
    this.report = done;
    this.expected = 1;
    this.results = [];
    this.machine.probeBeforeNext();
    this.machine.enqueue(transaction, this.request.sim.nowMs);
    if (!keepOpen) this.machine.finish(this.request.sim.nowMs);
    this.session.pump();
  }

  close(): void {
    if (!this.isOpen()) return;
    this.report = null;
    this.machine.finish(this.request.sim.nowMs);
    this.session.pump();
  }

  hangUp(): void {
    if (!this.isOpen()) return;
    this.report = null;
    this.machine.hangUp(this.request.sim.nowMs);
    this.session.pump();
  }

  private onEvent(event: SmtpClientEvent, s: MachineSession<SmtpClientEvent>): void {
    switch (event.type) {
      case 'starttls':
        s.beginTls();
        break;
      case 'ready':
        this.handshakeDone = true;
        this.dsnOffered = event.capabilities.dsn;
        break;
      case 'transaction-done':
        this.results.push({ id: event.id, recipients: event.recipients, reply: event.reply });
        if (this.keepOpen && this.results.length === this.expected && this.machine.idle) this.tell('quit', 'idle', null, null, this);
        break;
      case 'closed':
        this.closed = true;
        this.tell(event.reason, event.stage, event.reply, event.detail, null);
        break;
      default:
        break;
    }
  }

  /** Reports the current use once: the session closed, or (parked) left open for another. */
  private tell(reason: SmtpClientCloseReason, stage: SmtpClientStage, reply: SmtpReply | null, detail: string | null, parked: ParkedSession | null): void {
    const report = this.report;
    if (report === null) return;
    this.report = null;
    report({
      kind: 'session',
      conn: this.conn,
      tls: this.connection.secure,
      handshakeDone: this.handshakeDone,
      dsnOffered: this.dsnOffered,
      transactions: this.results,
      closeReason: reason,
      closeStage: stage,
      closeReply: reply,
      closeDetail: detail,
      parked,
    });
  }
}
