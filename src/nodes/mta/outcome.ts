/**
 * What an SMTP delivery attempt means for each recipient (RFC 5321 §4.2.1, §4.5.4; docs/delivery.md R1–R6)
 * and which enhanced status code (RFC 3463) a DSN should carry for it.
 *
 *   2xx accepted · 4xx deferred (retry) · 5xx failed (never repeat the request) — R2.
 *   A 5xx to RCPT fails that recipient only; a 5xx to MAIL, DATA or "." fails every recipient still
 *   open; a 4xx or a broken connection anywhere defers them (R5). A closed or reset connection counts
 *   as 451 (R3, RFC 5321 §3.8). 452 to RCPT is "too many recipients": the rest go in another
 *   transaction (R4), so it is reported separately from other deferrals.
 *   After "." was sent, a lost reply leaves the message's fate unknown: the server may have committed
 *   it, so a retry may duplicate it (RFC 1047, docs/delivery.md E3) — still a deferral.
 *
 * When the server gave no enhanced code, the RFC 3463 default for the situation is used: 4.4.1 no
 * answer, 4.4.2 bad connection, 4.4.3 DNS failure, 5.4.4 unroutable, 5.4.6 loop, 4.4.7 expired, and
 * for a bare reply its class with ".0.0". An enhanced code whose class disagrees with the reply's
 * first digit is corrected to the reply's class (D7, RFC 2034 §4).
 */
import type { SmtpReply } from '../../protocols/smtp/types.js';

export type ReplyClass = 'accepted' | 'deferred' | 'failed';

/** What happened to a recipient in one attempt. */
export type RecipientFate = 'accepted' | 'deferred' | 'failed';

/** A connection-level result: no usable reply was received. */
export type ConnectionFailure = 'timeout' | 'refused' | 'dropped' | 'unknown-after-dot' | 'tls-failed';

/** RFC 3463 codes mailsim uses when the server did not supply one (docs/delivery.md §6). */
export const defaultStatus = {
  noAnswer: '4.4.1',
  badConnection: '4.4.2',
  dnsFailure: '4.4.3',
  unroutable: '5.4.4',
  routingLoop: '5.4.6',
  expired: '4.4.7',
  badMailbox: '5.1.1',
  badSystem: '5.1.2',
  nullMx: '5.1.10',
  mailboxFull: '5.2.2',
  notAuthorised: '5.7.1',
  greylisted: '4.2.0',
  tooManyRecipients: '4.5.3',
} as const;

/** 2xx and 3xx (354 to DATA) move on; 4xx defers; 5xx fails; anything else is a protocol error (defer). */
export function classifyReplyCode(code: number): ReplyClass {
  if (code >= 200 && code < 400) return 'accepted';
  if (code >= 500 && code < 600) return 'failed';
  // 4xx, and out-of-range codes a broken server might send: retry rather than lose the mail.
  return 'deferred';
}

/** Every connection-level failure defers (R2/R3, R6): none of them is a statement by the server. */
export function classifyConnectionFailure(_failure: ConnectionFailure): 'deferred' {
  return 'deferred';
}

/** The RFC 3463 status for a connection-level failure. */
export function statusForConnectionFailure(failure: ConnectionFailure): string {
  switch (failure) {
    case 'timeout':
    case 'refused':
      return defaultStatus.noAnswer; // 4.4.1: no answer from host
    case 'dropped':
    case 'unknown-after-dot':
    case 'tls-failed':
      return defaultStatus.badConnection; // 4.4.2: bad connection
  }
}

const enhancedPattern = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The enhanced status to report for a reply (D7): the server's own code with its class forced to the
 * reply's class, or `<class>.0.0` when it gave none or gave garbage.
 */
export function statusForReply(reply: Pick<SmtpReply, 'code' | 'enhanced'>): string {
  const replyClass = Math.floor(reply.code / 100);
  const safeClass = replyClass === 2 || replyClass === 4 || replyClass === 5 ? replyClass : 4;
  const match = reply.enhanced === null ? null : enhancedPattern.exec(reply.enhanced);
  if (match === null) return `${safeClass}.0.0`;
  return `${safeClass}.${Number(match[2])}.${Number(match[3])}`;
}

/** "550 5.1.1 user unknown": the reply as one line, for Diagnostic-Code and reports. */
export function replyLine(reply: SmtpReply): string {
  const text = reply.lines.join(' ').replace(/[\r\n]+/g, ' ').trim();
  if (reply.enhanced !== null && !text.startsWith(reply.enhanced)) return `${reply.code} ${reply.enhanced} ${text}`.trim();
  return `${reply.code} ${text}`.trim();
}

/** The stage of a transaction a result belongs to. */
export type TransactionStage = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'dot';

/** How one transaction ended, for `recipientFates`. */
export interface TransactionTranscript {
  /** One entry per recipient, in order: the RCPT reply, or null if RCPT was never sent for it. */
  rcptReplies: ReadonlyArray<SmtpReply | null>;
  /**
   * What stopped or finished the transaction: the reply that ended it (MAIL rejected, DATA or "."
   * answered, greeting/EHLO refused), or a connection failure at a stage. A transaction whose RCPTs
   * were all refused ends with `{ kind: 'no-recipients' }`.
   */
  end:
    | { kind: 'reply'; stage: TransactionStage; reply: SmtpReply }
    | { kind: 'connection'; stage: TransactionStage; failure: ConnectionFailure }
    | { kind: 'no-recipients' };
}

export interface RecipientOutcome {
  fate: RecipientFate;
  /** RFC 3463 status for a DSN or the report. */
  status: string;
  /** The reply that decided it, or null for a connection-level result. */
  reply: SmtpReply | null;
  /** The connection failure that decided it, if any. */
  connection: ConnectionFailure | null;
  /** Where it was decided. */
  stage: TransactionStage;
  /**
   * Send this recipient again at once in a new transaction (R4): it got 452 to RCPT, or it was never
   * offered in a transaction that otherwise went through to DATA.
   */
  nextTransaction: boolean;
  /** Decided after "." was sent without a reply: the server may hold the message (E3). */
  possibleDuplicate: boolean;
}

function fromReply(reply: SmtpReply, stage: TransactionStage): RecipientOutcome {
  const replyClass = classifyReplyCode(reply.code);
  return {
    fate: replyClass,
    status: statusForReply(reply),
    reply,
    connection: null,
    stage,
    nextTransaction: stage === 'rcpt' && reply.code === 452,
    possibleDuplicate: false,
  };
}

function fromConnection(failure: ConnectionFailure, stage: TransactionStage): RecipientOutcome {
  const afterDot = stage === 'dot' || failure === 'unknown-after-dot';
  return {
    fate: classifyConnectionFailure(failure),
    status: statusForConnectionFailure(failure),
    reply: null,
    connection: failure,
    stage,
    nextTransaction: false,
    possibleDuplicate: afterDot,
  };
}

/**
 * Per-recipient fates of one transaction (R5): a recipient refused at RCPT keeps that reply; every
 * recipient accepted at RCPT shares the transaction's end; a recipient never offered shares the end
 * that stopped the transaction before it.
 */
export function recipientFates(transcript: TransactionTranscript): RecipientOutcome[] {
  const { end } = transcript;
  return transcript.rcptReplies.map((rcptReply) => {
    if (rcptReply !== null && classifyReplyCode(rcptReply.code) !== 'accepted') return fromReply(rcptReply, 'rcpt');
    if (rcptReply === null && end.kind === 'reply' && (end.stage === 'data' || end.stage === 'dot')) {
      // Never offered although the transaction reached DATA: it belongs in the next transaction.
      return { ...fromConnection('dropped', 'rcpt'), status: defaultStatus.tooManyRecipients, nextTransaction: true };
    }
    if (end.kind === 'reply') {
      const outcome = fromReply(end.reply, end.stage);
      // A 2xx to anything but "." does not deliver: the transaction stopped there (caller misuse or
      // an aborted transaction); treat it as a deferral so the mail is never counted as delivered.
      if (outcome.fate === 'accepted' && end.stage !== 'dot') {
        return { ...outcome, fate: 'deferred' as const, status: defaultStatus.badConnection };
      }
      return outcome;
    }
    if (end.kind === 'connection') return fromConnection(end.failure, end.stage);
    // 'no-recipients': only reachable for a recipient without a refusal of its own (never offered).
    return fromConnection('dropped', 'rcpt');
  });
}
