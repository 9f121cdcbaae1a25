/**
 * SASL pieces of SMTP AUTH (RFC 4954) for the PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login)
 * mechanisms: strict base64, the PLAIN message, the LOGIN prompts. The exchange itself (334
 * challenges, "*" cancel, replies) lives in the server machine; this file has no state.
 */

/** RFC 4648 §4 base64 with padding, as RFC 4954 §4 requires. Returns null when not valid base64. */
export function decodeBase64Strict(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Reject non-canonical encodings (stray bits in the last char): re-encoding must give the input.
  if (bytes.toString('base64') !== text) return null;
  return new Uint8Array(bytes);
}

export function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd. Null when malformed. */
export function parsePlainMessage(bytes: Uint8Array): { authzid: string; user: string; password: string } | null {
  const text = utf8(bytes);
  if (text === null) return null;
  const parts = text.split('\0');
  if (parts.length !== 3) return null;
  const [authzid, user, password] = parts as [string, string, string];
  if (user === '' || password === '') return null;
  return { authzid, user, password };
}

/** A LOGIN field (username or password) decoded as UTF-8; null when malformed. */
export function parseLoginField(bytes: Uint8Array): string | null {
  const text = utf8(bytes);
  if (text === null || text.includes('\0')) return null;
  return text;
}

/** The LOGIN mechanism's prompts, base64 of "Username:" and "Password:". */
export const LOGIN_USERNAME_PROMPT = encodeBase64('Username:');
export const LOGIN_PASSWORD_PROMPT = encodeBase64('Password:');
