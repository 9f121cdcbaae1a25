/**
 * Line-end conversions between the mailbox view and the files (docs/delivery.md W1, W2).
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

// Each function finds the line ends with indexOf (native, fast over long lines) and copies the runs
// between them whole, instead of visiting every byte in JavaScript.

/** Bare LF → CRLF; a final CRLF added to a non-empty message without one. */
export function normalizeMessage(bytes: Uint8Array): Uint8Array {
  let bareLf = 0;
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) if (lf === 0 || bytes[lf - 1] !== CR) bareLf++;
  const needsFinal = bytes.length > 0 && bytes[bytes.length - 1] !== LF ? 2 : 0;
  if (bareLf === 0 && needsFinal === 0) return bytes;
  const out = new Uint8Array(bytes.length + bareLf + needsFinal);
  let o = 0;
  let runStart = 0;
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) {
    if (lf > 0 && bytes[lf - 1] === CR) continue;
    out.set(bytes.subarray(runStart, lf), o);
    o += lf - runStart;
    out[o++] = CR;
    runStart = lf; // the LF itself starts the next run
  }
  out.set(bytes.subarray(runStart), o);
  o += bytes.length - runStart;
  if (needsFinal) {
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

/** CRLF → LF (the file form). */
export function crlfToLf(bytes: Uint8Array): Uint8Array {
  let pairs = 0;
  for (let lf = bytes.indexOf(LF, 1); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) if (bytes[lf - 1] === CR) pairs++;
  if (pairs === 0) return bytes;
  const out = new Uint8Array(bytes.length - pairs);
  let o = 0;
  let runStart = 0;
  for (let lf = bytes.indexOf(LF, 1); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) {
    if (bytes[lf - 1] !== CR) continue;
    out.set(bytes.subarray(runStart, lf - 1), o); // the run without its CR
    o += lf - 1 - runStart;
    runStart = lf;
  }
  out.set(bytes.subarray(runStart), o);
  return out;
}

/** LF → CRLF (the view form), for every LF. */
export function lfToCrlf(bytes: Uint8Array): Uint8Array {
  let lfs = 0;
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) lfs++;
  if (lfs === 0) return bytes;
  const out = new Uint8Array(bytes.length + lfs);
  let o = 0;
  let runStart = 0;
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) {
    out.set(bytes.subarray(runStart, lf), o);
    o += lf - runStart;
    out[o++] = CR;
    runStart = lf;
  }
  out.set(bytes.subarray(runStart), o);
  return out;
}
