/**
 * The state file of a new queue entry, written as UTF-8 bytes straight into a buffer: the bytes of
 * `JSON.stringify(entry)` for an entry built by `MailQueue.enqueue`, without the JSON text as a string
 * first (issue 21: JSON.stringify of the whole entry, twice per message — MSA and MX — was the
 * costliest step of a commit, and its string was garbage at once).
 *
 * Fast path only: every string must be "plain" — characters U+0020–U+007F other than `"` and `\`,
 * which JSON.stringify writes as they are, one byte each in UTF-8 — every number a safe integer, and
 * the whole text must fit the buffer. Anything else (a control character, non-ASCII text, a huge
 * recipient list) returns -1 and the caller takes the general path, JSON.stringify.
 * test/nodes/pure/new-entry-json.test.ts compares the two on random entries.
 *
 * Keys and their order are those of the literal in `MailQueue.enqueue` (and `newRetryRecord`,
 * `mailParamsOf`), which is what JSON.stringify follows.
 */
import type { QueueEntry, QueueRecipient } from './entry-types.js';

/** Writes JSON text into `out` from 0; returns the length, or -1 when the fast path does not apply. */
export function newEntryJsonInto(entry: QueueEntry, out: Uint8Array): number {
  const w = writer;
  w.out = out;
  w.at = 0;
  w.ok = true;
  w.raw('{"queueId":');
  w.str(entry.queueId);
  w.raw(',"messageId":');
  w.str(entry.messageId);
  w.raw(',"from":');
  w.str(entry.from);
  w.raw(',"recipients":[');
  const recipients = entry.recipients;
  for (let i = 0; i < recipients.length && w.ok; i++) recipientInto(w, recipients[i]!, i > 0);
  w.raw('],"arrivalMs":');
  w.num(entry.arrivalMs);
  const retry = entry.retry;
  w.raw(',"retry":{"arrivalMs":');
  w.num(retry.arrivalMs);
  w.raw(retry.nullSender ? ',"nullSender":true,"firstFailureMs":' : ',"nullSender":false,"firstFailureMs":');
  w.num(retry.firstFailureMs);
  w.raw(',"lastFailureMs":');
  w.num(retry.lastFailureMs);
  w.raw(',"nextAttemptMs":');
  w.num(retry.nextAttemptMs);
  w.raw(',"failures":');
  w.num(retry.failures);
  w.raw('},"eligibleAtMs":');
  w.num(entry.eligibleAtMs);
  w.raw(entry.warned ? ',"warned":true,"params":{"body":' : ',"warned":false,"params":{"body":');
  const params = entry.params;
  w.str(params.body);
  w.raw(params.smtpUtf8 ? ',"smtpUtf8":true' : ',"smtpUtf8":false');
  w.raw(params.requireTls ? ',"requireTls":true,"dsn":{"ret":' : ',"requireTls":false,"dsn":{"ret":');
  w.str(params.dsn.ret);
  w.raw(',"envid":');
  w.str(params.dsn.envid);
  w.raw(entry.hopLimitExceeded ? '}},"hopLimitExceeded":true}' : '}},"hopLimitExceeded":false}');
  const length = w.ok ? w.at : -1;
  w.out = empty;
  return length;
}

function recipientInto(w: Writer, r: QueueRecipient, comma: boolean): void {
  w.raw(comma ? ',{"address":' : '{"address":');
  w.str(r.address);
  w.raw(',"orcpt":');
  w.str(r.orcpt);
  w.raw(',"notify":');
  const notify = r.notify;
  if (notify === null) w.raw('null');
  else {
    w.raw('[');
    for (let i = 0; i < notify.length; i++) {
      if (i > 0) w.raw(',');
      w.str(notify[i]!);
    }
    w.raw(']');
  }
  w.raw(r.done ? ',"done":true,"status":' : ',"done":false,"status":');
  w.str(r.status);
  w.raw(',"diagnostic":');
  w.str(r.diagnostic);
  w.raw(',"remoteMta":');
  w.str(r.remoteMta);
  w.raw(',"lastAttemptMs":');
  w.num(r.lastAttemptMs);
  w.raw('}');
}

const empty = new Uint8Array(0);

/** Appends ASCII to `out` at `at`; clears `ok` (and writes nothing more) on anything off the fast path. */
class Writer {
  out: Uint8Array = empty;
  at = 0;
  ok = true;

  /** Text known to be ASCII (this file's literals, digits). */
  raw(text: string): void {
    const out = this.out;
    let at = this.at;
    if (!this.ok || at + text.length > out.length) {
      this.ok = false;
      return;
    }
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** A JSON string (or null): plain characters only, quoted. */
  str(text: string | null): void {
    if (text === null) {
      this.raw('null');
      return;
    }
    const out = this.out;
    let at = this.at;
    if (!this.ok || at + text.length + 2 > out.length) {
      this.ok = false;
      return;
    }
    out[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7f || code === 0x22 || code === 0x5c) {
        this.ok = false;
        return;
      }
      out[at++] = code;
    }
    out[at++] = 0x22;
    this.at = at;
  }

  /** A JSON number (or null): safe integers only, as JSON.stringify writes them. */
  num(value: number | null): void {
    if (value === null) this.raw('null');
    else if (Number.isSafeInteger(value)) this.raw(`${value}`);
    else this.ok = false;
  }
}

const writer = new Writer();
