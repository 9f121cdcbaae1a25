/**
 * Line-end conversions between the mailbox view and the files (DELIVERY.md W1, W2).
 *
 * The `UserMailStore` view holds every message with CRLF line ends, so RFC822.SIZE (RFC 3501 §2.3.4)
 * and the POP3 octet counts (RFC 1939 §5) are exact. Files on disk use the Unix convention (LF), as
 * Maildir and mbox readers (mutt, Dovecot, Python's `mailbox`) expect.
 *
 * A stored message is normalised once, on the way in: a bare LF becomes CRLF and a message that does
 * not end with a line end gets a final CRLF (an mbox cannot represent a missing final newline, and
 * both formats must agree). After that, `lfToCrlf(crlfToLf(m)) === m` exactly: writing removes the CR
 * of each CRLF, reading puts one back before every LF, and a stray CR not followed by LF is kept as is.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Bare LF → CRLF; a final CRLF added to a non-empty message without one. */
export function normalizeMessage(bytes: Uint8Array): Uint8Array {
  let bareLf = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF && (i === 0 || bytes[i - 1] !== CR)) bareLf++;
  const last = bytes.length > 0 ? bytes[bytes.length - 1] : undefined;
  const needsFinal = bytes.length > 0 && last !== LF ? 2 : 0;
  if (bareLf === 0 && needsFinal === 0) return bytes;
  const out = new Uint8Array(bytes.length + bareLf + needsFinal);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) out[o++] = CR;
    out[o++] = byte;
  }
  if (needsFinal) {
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

/** CRLF → LF (the file form). */
export function crlfToLf(bytes: Uint8Array): Uint8Array {
  let pairs = 0;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === CR && bytes[i + 1] === LF) pairs++;
  if (pairs === 0) return bytes;
  const out = new Uint8Array(bytes.length - pairs);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF) continue;
    out[o++] = bytes[i]!;
  }
  return out;
}

/** LF → CRLF (the view form), for every LF. */
export function lfToCrlf(bytes: Uint8Array): Uint8Array {
  let lfs = 0;
  for (const byte of bytes) if (byte === LF) lfs++;
  if (lfs === 0) return bytes;
  const out = new Uint8Array(bytes.length + lfs);
  let o = 0;
  for (const byte of bytes) {
    if (byte === LF) out[o++] = CR;
    out[o++] = byte;
  }
  return out;
}
