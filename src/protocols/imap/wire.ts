/**
 * Building server responses (RFC 3501 §7, §9): text, quoted strings, literals and NIL. A response may
 * carry raw bytes (a FETCH of BODY[] is a literal of the stored octets), so it is built as a list of
 * byte chunks. Strings are quoted when they are printable 7-bit text without CR/LF, and sent as
 * literals otherwise (8-bit header text, long values), as §4.3 requires.
 */
import { textBytes } from '../machine.js';
import { concatBytes } from '../bytes.js';

/** Longest string sent quoted; longer ones go as literals so no response line grows without bound. */
export const QUOTED_STRING_CHARS_MAX = 1000;

export class ResponseWriter {
  private readonly chunks: Uint8Array[] = [];
  private text = '';

  raw(text: string): this {
    this.text += text;
    return this;
  }

  literal(bytes: Uint8Array): this {
    this.text += `{${bytes.length}}\r\n`;
    this.flushText();
    this.chunks.push(bytes);
    return this;
  }

  /** A string (RFC 3501 §9 string): quoted if it can be, a literal otherwise. */
  string(value: string): this {
    if (value.length <= QUOTED_STRING_CHARS_MAX && /^[\x20-\x7e]*$/.test(value)) {
      return this.raw(`"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
    }
    return this.literal(textBytes(value));
  }

  /** nstring: NIL for null. */
  nstring(value: string | null): this {
    return value === null ? this.raw('NIL') : this.string(value);
  }

  private flushText(): void {
    if (this.text !== '') this.chunks.push(textBytes(this.text));
    this.text = '';
  }

  /** The bytes written so far, as one chunk. */
  bytes(): Uint8Array {
    this.flushText();
    return concatBytes(this.chunks);
  }
}
