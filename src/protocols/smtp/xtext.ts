/** xtext (RFC 3461 §4), the encoding of DSN parameter values (and AUTH=, RFC 4954 §5). */

/** xtext = *( xchar / "+" 2HEXUPPER ), xchar = "!".."~" except "+" and "=". */
export function isXtext(value: string): boolean {
  return /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/.test(value);
}

/**
 * "!" to "~" except "+" and "=" stand for themselves, others are "+XX". Values that came from another
 * server are already xtext; a "+" is taken as the start of an escape, so encoding only what xtext
 * forbids leaves a relayed value unchanged (docs/delivery.md D6).
 */
export function toXtext(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    out += byte >= 0x21 && byte <= 0x7e && char !== '=' ? char : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
