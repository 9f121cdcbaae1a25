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
import type { ServiceHost } from './stream-endpoint.js';

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
        if (!request.isAlive()) return;
        // The options as they are, not a copy with implicitTls set: this runs for every connection.
        const machine = new SmtpClient(request.client);
        for (const transaction of request.transactions) machine.enqueue(transaction);
        machine.finish();
        const results: TransactionResult[] = [];
        let handshakeDone = false;
        let dsnOffered = false;
        let reported = false;
        const session = new MachineSession<SmtpClientEvent>(
          request.sim,
          conn,
          machine,
          {
            onEvent: (event, s) => {
              switch (event.type) {
                case 'starttls':
                  s.beginTls();
                  break;
                case 'ready':
                  handshakeDone = true;
                  dsnOffered = event.capabilities.dsn;
                  break;
                case 'transaction-done':
                  results.push({ id: event.id, recipients: event.recipients, reply: event.reply });
                  break;
                case 'closed':
                  if (reported) break;
                  reported = true;
                  done({
                    kind: 'session',
                    conn: connId,
                    tls: conn.secure,
                    handshakeDone,
                    dsnOffered,
                    transactions: results,
                    closeReason: event.reason,
                    closeStage: event.stage,
                    closeReply: event.reply,
                    closeDetail: event.detail,
                  });
                  break;
                default:
                  break;
              }
            },
          },
          request.isAlive,
        );
        if (request.client.implicitTls === true) conn.startTls(() => request.isAlive() && session.start((now) => machine.start(now)));
        else session.start((now) => machine.start(now));
      },
    },
  );
}
