/**
 * Command-line parsing for the SMTP server: the verb, the argument, MAIL/RCPT paths and their ESMTP
 * parameters (RFC 5321 §4.1.1–§4.1.2, RFC 1869/5321 §4.1.2 esmtp-param); each parameter is read by
 * the extension that declares it (extensions/).
 *
 * Lines arrive as latin1 strings (one char per byte, machine.ts `bytesLatin1`), so a length in chars is
 * a length in octets. Parsers never throw on peer input: they return a `ParseFailure` carrying the reply.
 *
 * Leniency, on purpose and like Postfix: verbs are case-insensitive; spaces after "FROM:" / "TO:" are
 * allowed; a source route (`<@a,@b:user@c>`) is accepted and ignored (RFC 5321 §4.1.1.3, §C).
 * Strict: paths need angle brackets; a parameter must be one the session negotiated (555 otherwise,
 * RFC 5321 §4.1.1.11); a repeated parameter is a syntax error.
 */
import { knownVerb } from './command-verb.js';
import { mailParameters, rcptParameters } from './extensions/index.js';
import { type CommandParameter, fail, type MailCommand, type ParameterContext, type ParseFailure, type RcptCommand, unknownParam } from './parameters.js';

export type { MailCommand, ParameterContext, ParseFailure, RcptCommand } from './parameters.js';

export interface ParsedCommand {
  /** Upper-cased verb, e.g. "MAIL". */
  verb: string;
  /** Everything after the verb and one separating space; "" when none. */
  argument: string;
}

export function splitCommand(line: string): ParsedCommand {
  const space = line.indexOf(' ');
  // A common verb is the shared constant (command-verb.ts): no slice, no upper-casing.
  const verb = knownVerb(line, space < 0 ? line.length : space);
  if (verb !== null) return { verb, argument: space < 0 ? '' : line.slice(space + 1) };
  return splitCommandGeneral(line);
}

/** `splitCommand` the general way, for every verb: sliced and upper-cased. */
export function splitCommandGeneral(line: string): ParsedCommand {
  const space = line.indexOf(' ');
  if (space < 0) return { verb: line.toUpperCase(), argument: '' };
  return { verb: line.slice(0, space).toUpperCase(), argument: line.slice(space + 1) };
}

export interface PathLimits {
  localPartBytesMax: number;
  domainBytesMax: number;
  pathBytesMax: number;
}


// RFC 5321 §4.1.2: atext of RFC 5322 §3.2.3, used for Dot-string local parts.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const ATEXT_UTF8 = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;
// RFC 5321 §4.1.2 sub-domain: Let-dig [Ldh-str]; UTF-8 labels allowed with SMTPUTF8 (RFC 6531 §3.3).
const SUB_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const SUB_DOMAIN_UTF8 = /^[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]*[A-Za-z0-9\u0080-\uffff])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_BODY = /^[0-9A-Fa-f:.]{2,45}$/;
// RFC 5321 §4.1.2 Quoted-string: qtextSMTP (32, 33, 35–91, 93–126) or a backslash pair (32–126).
const QUOTED_STRING = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/;
// parsePlainPath: "<" Dot-string "@" sub-domains ">", labels of 1–63 characters (RFC 5321 §4.1.2,
// RFC 1035 §2.3.4). Neither atext nor Let-dig includes "<", ">", '"', "@", space or control characters.
const PLAIN_PATH =
  /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?>/;

function utf8Decode(latin1: string): string | null {
  const bytes = Uint8Array.from(latin1, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function validDomain(domain: string, utf8: boolean): boolean {
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const literal = domain.slice(1, -1);
    if (IPV4.test(literal)) return true;
    if (/^IPv6:/i.test(literal)) return IPV6_BODY.test(literal.slice(5)) && literal.includes(':', 5);
    return false;
  }
  const labels = domain.split('.');
  return labels.every((label) => label.length > 0 && label.length <= 63 && (utf8 ? SUB_DOMAIN_UTF8 : SUB_DOMAIN).test(label));
}

interface PathResult {
  ok: true;
  address: string;
  /** Text after the closing bracket (the parameters), untrimmed. */
  rest: string;
}

export interface PathOptions {
  nullAllowed: boolean;
  postmasterAllowed: boolean;
  smtpUtf8: boolean;
  badSyntax: '5.1.7' | '5.1.3';
}

/**
 * Parses `<path> params` (the text after "FROM:" / "TO:"). `nullAllowed` for the reverse-path `<>`,
 * `postmasterAllowed` for RCPT's bare `<Postmaster>` (RFC 5321 §4.1.1.3). `badSyntax` is the
 * enhanced code for a malformed address: 5.1.7 sender, 5.1.3 recipient (RFC 3463 §3.2).
 */
export function parsePath(text: string, limits: PathLimits, options: PathOptions): PathResult | ParseFailure {
  return parsePlainPath(text, limits) ?? parsePathGeneral(text, limits, options);
}

/**
 * The common case, `<local@domain>` with an ASCII Dot-string local part and an ASCII domain name
 * (RFC 5321 §4.1.2), directly after the colon and within the limits, matched by one regex. Such a
 * path is valid whatever the options (it is neither `<>` nor `<Postmaster>` nor UTF-8), so the
 * result is the general parser's success. Anything else (spaces before "<", a quoted local part, a
 * source route, an address literal, UTF-8, an error of any kind) is null: the general parser decides.
 * test/protocols/smtp/path-fast-path.test.ts checks the two agree.
 */
export function parsePlainPath(text: string, limits: PathLimits): PathResult | null {
  const match = PLAIN_PATH.exec(text);
  if (match === null) return null;
  const close = match[0].length - 1;
  if (close < text.length - 1 && text.charCodeAt(close + 1) !== 0x20) return null; // "<a@b>x": a syntax error
  const at = text.indexOf('@');
  // RFC 5321 §4.5.3.1.1–§4.5.3.1.3: local part, domain and path limits.
  if (at - 1 > limits.localPartBytesMax || close - at - 1 > limits.domainBytesMax || close + 1 > limits.pathBytesMax) return null;
  return { ok: true, address: text.slice(1, close), rest: text.slice(close + 1) };
}

/** The full parser: every form RFC 5321 §4.1.2 allows, and the reply for every error. */
export function parsePathGeneral(text: string, limits: PathLimits, options: PathOptions): PathResult | ParseFailure {
  const trimmed = text.replace(/^ +/, '');
  if (!trimmed.startsWith('<')) return fail(501, options.badSyntax, 'Syntax error: the address must be in angle brackets');
  const close = closingBracket(trimmed);
  if (close < 0) return fail(501, options.badSyntax, 'Syntax error: unbalanced angle brackets');
  const path = trimmed.slice(0, close + 1);
  const rest = trimmed.slice(close + 1);
  if (rest !== '' && !rest.startsWith(' ')) return fail(501, '5.5.4', 'Syntax error in parameters');
  if (path.length > limits.pathBytesMax) return fail(553, options.badSyntax, `Path too long (RFC 5321 section 4.5.3.1.3: ${limits.pathBytesMax} octets)`);
  let inner = path.slice(1, -1);
  if (inner === '') {
    if (options.nullAllowed) return { ok: true, address: '', rest };
    return fail(501, options.badSyntax, 'Syntax error: empty address');
  }
  // A source route "@a,@b:" is accepted and ignored (RFC 5321 §4.1.1.3 and Appendix C).
  if (inner.startsWith('@')) {
    const colon = inner.indexOf(':');
    if (colon < 0) return fail(501, options.badSyntax, 'Syntax error in source route');
    inner = inner.slice(colon + 1);
  }
  const nonAscii = /[\x80-\xff]/.test(inner);
  if (nonAscii && !options.smtpUtf8) return fail(553, '5.6.7', 'Non-ASCII address requires SMTPUTF8 (RFC 6531 section 3.4)');
  if (/[\x00-\x1f\x7f]/.test(inner)) return fail(501, options.badSyntax, 'Syntax error: control character in address');
  if (options.postmasterAllowed && inner.toLowerCase() === 'postmaster') return { ok: true, address: inner, rest };
  const at = inner.lastIndexOf('@');
  if (at <= 0 || at === inner.length - 1) return fail(501, options.badSyntax, 'Syntax error: address must be local-part@domain');
  const localPart = inner.slice(0, at);
  const domain = inner.slice(at + 1);
  if (localPart.length > limits.localPartBytesMax) return fail(553, options.badSyntax, `Local part too long (RFC 5321 section 4.5.3.1.1: ${limits.localPartBytesMax} octets)`);
  if (domain.length > limits.domainBytesMax) return fail(553, options.badSyntax, `Domain too long (RFC 5321 section 4.5.3.1.2: ${limits.domainBytesMax} octets)`);
  const decodedLocal = nonAscii ? utf8Decode(localPart) : localPart;
  const decodedDomain = nonAscii ? utf8Decode(domain) : domain;
  if (decodedLocal === null || decodedDomain === null) return fail(501, options.badSyntax, 'Syntax error: address is not valid UTF-8');
  const dotString = decodedLocal.split('.').every((atom) => atom.length > 0 && (nonAscii ? ATEXT_UTF8 : ATEXT).test(atom));
  if (!dotString && !QUOTED_STRING.test(decodedLocal)) return fail(501, options.badSyntax, 'Syntax error in local part');
  if (!validDomain(decodedDomain, nonAscii)) return fail(501, options.badSyntax, 'Syntax error in domain');
  return { ok: true, address: `${decodedLocal}@${decodedDomain}`, rest };
}

/** Index of the '>' closing the path, skipping quoted local parts; -1 if none. */
function closingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}


type Params = Map<string, string | null>;

/** Splits `KEY=VALUE KEY2` (RFC 5321 §4.1.2 esmtp-param); keys upper-cased; duplicates refused. */
function parseParams(rest: string): Params | ParseFailure {
  const params: Params = new Map();
  for (const token of rest.split(' ')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const key = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? null : token.slice(eq + 1);
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) return fail(501, '5.5.4', 'Syntax error in parameters');
    if (value !== null && !/^[\x21-\x3c\x3e-\x7e]+$/.test(value)) return fail(501, '5.5.4', `Syntax error in parameter ${key}`);
    if (params.has(key)) return fail(501, '5.5.4', `Duplicate parameter ${key}`);
    params.set(key, value);
  }
  return params;
}


/**
 * Each parameter is read by the extension that declares it (extensions/), if the session negotiated
 * that extension; any other is unknown (RFC 5321 §4.1.1.11: parameters need EHLO).
 */
function readParameters<Command>(params: Params, known: ReadonlyMap<string, CommandParameter<Command>>, context: ParameterContext, command: Command): ParseFailure | null {
  for (const [key, value] of params) {
    const parameter = known.get(key);
    if (!context.extended || parameter === undefined || !parameter.offered(context)) return unknownParam(key);
    const failure = parameter.read(value, command);
    if (failure !== null) return failure;
  }
  return null;
}

/** Reads `rest`'s parameters into the command: the fast path when it can, else the general one. */
export type ParametersReader = <Command>(rest: string, known: ReadonlyMap<string, CommandParameter<Command>>, context: ParameterContext, command: Command) => ParseFailure | null;

/** The general way: split, checked into a Map (every syntax error and duplicate first), then read in order. */
export const readParametersGeneral: ParametersReader = (rest, known, context, command) => {
  const params = parseParams(rest);
  if (params instanceof Map === false) return params;
  return readParameters(params, known, context, command);
};

/**
 * `readParametersGeneral` without the split and the Map, for parameters whose syntax is plainly
 * right: each key [A-Za-z0-9][A-Za-z0-9-]*, each value 1*(%x21-3C / %x3E-7E), no key twice (ASCII
 * case-insensitive), at most PARAMETERS_FAST_MAX of them. Then no syntax error can come first and the
 * Map's order is the line's, so reading each in turn is what the general path does. Anything else
 * (a syntax error, a duplicate, a non-ASCII key, whose upper case may change length) goes the general
 * way. test/protocols/smtp/parameters-fast-path.test.ts checks the two agree.
 */
export const readParametersFast: ParametersReader = (rest, known, context, command) => {
  if (!plainParameters(rest)) return readParametersGeneral(rest, known, context, command);
  let start = 0;
  while (start < rest.length) {
    let end = rest.indexOf(' ', start);
    if (end < 0) end = rest.length;
    if (end > start) {
      const eq = rest.indexOf('=', start);
      const keyEnd = eq < 0 || eq > end ? end : eq;
      const key = rest.slice(start, keyEnd).toUpperCase();
      const parameter = known.get(key);
      if (!context.extended || parameter === undefined || !parameter.offered(context)) return unknownParam(key);
      const failure = parameter.read(keyEnd === end ? null : rest.slice(keyEnd + 1, end), command);
      if (failure !== null) return failure;
    }
    start = end + 1;
  }
  return null;
};

const PARAMETERS_FAST_MAX = 8;

/** True when every token of `rest` is a well-formed parameter and no key repeats (see readParametersFast). */
function plainParameters(rest: string): boolean {
  let count = 0;
  let start = 0;
  while (start < rest.length) {
    let end = rest.indexOf(' ', start);
    if (end < 0) end = rest.length;
    if (end > start) {
      const keyEnd = plainKeyEnd(rest, start, end);
      if (keyEnd < 0 || (keyEnd < end && !plainValue(rest, keyEnd + 1, end))) return false;
      if (++count > PARAMETERS_FAST_MAX || keyBefore(rest, start, keyEnd)) return false;
    }
    start = end + 1;
  }
  return true;
}

/** Where the key of the token [start, end) ends ('=' or the end), or -1 when it is not [A-Za-z0-9][A-Za-z0-9-]*. */
function plainKeyEnd(text: string, start: number, end: number): number {
  for (let at = start; at < end; at++) {
    const char = text.charCodeAt(at);
    if (char === 0x3d) return at === start ? -1 : at;
    const alnum = (char >= 0x30 && char <= 0x39) || (char >= 0x41 && char <= 0x5a) || (char >= 0x61 && char <= 0x7a);
    if (!alnum && (char !== 0x2d || at === start)) return -1;
  }
  return end;
}

/** True when [start, end) is 1*(%x21-3C / %x3E-7E) (RFC 5321 §4.1.2 esmtp-value). */
function plainValue(text: string, start: number, end: number): boolean {
  if (end === start) return false;
  for (let at = start; at < end; at++) {
    const char = text.charCodeAt(at);
    if (char < 0x21 || char > 0x7e || char === 0x3d) return false;
  }
  return true;
}

/** True when an earlier token of `text` has the key [start, keyEnd), ASCII case ignored. */
function keyBefore(text: string, start: number, keyEnd: number): boolean {
  let at = 0;
  while (at < start) {
    let end = text.indexOf(' ', at);
    if (end < 0) end = text.length;
    if (end > at && sameKey(text, at, end, start, keyEnd)) return true;
    at = end + 1;
  }
  return false;
}

/** True when the key of the token [at, end) is [start, keyEnd), ASCII case ignored. */
function sameKey(text: string, at: number, end: number, start: number, keyEnd: number): boolean {
  const length = keyEnd - start;
  if (at + length > end || (at + length < end && text.charCodeAt(at + length) !== 0x3d)) return false;
  for (let index = 0; index < length; index++) {
    if ((text.charCodeAt(at + index) | 0x20) !== (text.charCodeAt(start + index) | 0x20)) return false;
  }
  return true;
}

/** `MAIL FROM:<path> [params]` (RFC 5321 §4.1.1.2). `argument` is the text after "MAIL ". */
export function parseMail(argument: string, limits: PathLimits, context: ParameterContext, readParameters: ParametersReader = readParametersFast): MailCommand | ParseFailure {
  if (!/^FROM:/i.test(argument)) return fail(501, '5.5.4', 'Syntax: MAIL FROM:<address>');
  // SMTPUTF8 must be known before the path is judged, so peek at the parameters first.
  const wantsUtf8 = context.extensions.smtpUtf8 && context.extended && /(^| )SMTPUTF8( |$)/i.test(argument);
  const path = parsePath(argument.slice(5), limits, { nullAllowed: true, postmasterAllowed: false, smtpUtf8: wantsUtf8, badSyntax: '5.1.7' });
  if (!path.ok) return path;
  const mail: MailCommand = { ok: true, from: path.address, body: null, smtpUtf8: false, declaredSize: null, dsn: { ret: null, envid: null }, auth: null, requireTls: false };
  const failure = readParameters(path.rest, mailParameters, context, mail);
  if (failure !== null) return failure;
  return mail;
}

/** `RCPT TO:<path> [params]` (RFC 5321 §4.1.1.3). */
export function parseRcpt(argument: string, limits: PathLimits, context: ParameterContext & { transactionUtf8: boolean }, readParameters: ParametersReader = readParametersFast): RcptCommand | ParseFailure {
  if (!/^TO:/i.test(argument)) return fail(501, '5.5.4', 'Syntax: RCPT TO:<address>');
  const path = parsePath(argument.slice(3), limits, { nullAllowed: false, postmasterAllowed: true, smtpUtf8: context.transactionUtf8, badSyntax: '5.1.3' });
  if (!path.ok) return path;
  const rcpt: RcptCommand = { ok: true, to: path.address, dsn: { notify: null, orcpt: null } };
  const failure = readParameters(path.rest, rcptParameters, context, rcpt);
  if (failure !== null) return failure;
  return rcpt;
}

/** `BDAT size [LAST]` (RFC 3030 §2): chunk-size = 1*DIGIT. */
export function parseBdat(argument: string): { ok: true; size: number; last: boolean } | ParseFailure {
  const match = /^(\d{1,15})(?: +(LAST))? *$/i.exec(argument);
  if (!match) return fail(501, '5.5.4', 'Syntax: BDAT size [LAST]');
  return { ok: true, size: Number(match[1]), last: match[2] !== undefined };
}
