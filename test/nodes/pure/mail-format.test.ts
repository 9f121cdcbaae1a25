/**
 * Addresses as the layers compare them, header-block helpers (hop counting for loop
 * detection, T2 Return-Path, MSA fix-ups) and the Received field (T1).
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, domainOf, localPartOf } from '../../../src/mail/address.js';
import {
  addMissingMessageIdAndDate,
  countHeaders,
  findHeaderEnd,
  getHeader,
  getHeaders,
  hopCount,
  hopLimitExceeded,
  parseHeaderBlock,
  prependHeader,
  removeHeaders,
  setReturnPath,
} from '../../../src/nodes/mail/headers.js';
import { formatReceived, parseReceived, receivedChain, receivedProtocol } from '../../../src/nodes/mail/received.js';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');
const message = enc.encode('Subject: Hi\r\nFrom: alice@sender.net\r\nTo: bob@example.org\r\n\r\nbody\r\nReceived: not a header\r\n');

describe('addresses as layers compare them (RFC 5321 §2.4)', () => {
  it('the domain canonical (lower case, no trailing dot), the local part as written', () => {
    expect(domainOf('Bob.Smith@Example.ORG')).toBe('example.org');
    expect(domainOf('<bob@example.org.>')).toBe('example.org');
    expect(localPartOf('<Bob.Smith@Example.ORG>')).toBe('Bob.Smith');
    expect(canonicalAddress('Bob.Smith@Example.ORG')).toBe('Bob.Smith@example.org');
    expect(canonicalAddress('"john doe"@Example.org')).toBe('"john doe"@example.org');
  });

  it('the null path and a string without "@" have no domain', () => {
    expect(domainOf('')).toBe('');
    expect(domainOf('postmaster')).toBe('');
    expect(domainOf('bob@')).toBe('');
    expect(localPartOf('postmaster')).toBe('postmaster');
    expect(canonicalAddress('postmaster')).toBe('postmaster');
  });
});

describe('header block helpers', () => {
  it('finds the end of the header block (CRLF and bare LF); a header-only message has no body', () => {
    expect(findHeaderEnd(message)).toEqual({ headerEnd: 58, bodyStart: 60 });
    expect(findHeaderEnd(enc.encode('A: 1\nB: 2\n\nbody'))).toEqual({ headerEnd: 10, bodyStart: 11 });
    expect(findHeaderEnd(enc.encode('A: 1\r\n'))).toEqual({ headerEnd: 6, bodyStart: 6 });
    expect(findHeaderEnd(enc.encode('\r\nbody'))).toEqual({ headerEnd: 0, bodyStart: 2 });
  });

  it('gets unfolded values by case-insensitive name; body lines are not headers', () => {
    const folded = enc.encode('Subject: a\r\n  folded\r\n\tline\r\nX-A: 1\r\nx-a: 2\r\n\r\nX-A: body\r\n');
    expect(getHeader(folded, 'subject')).toBe('a  folded\tline');
    expect(getHeaders(folded, 'X-A')).toEqual(['1', '2']);
    expect(countHeaders(message, 'Received')).toBe(0);
    expect(getHeader(message, 'Missing')).toBeNull();
  });

  it('loop detection: Received count above limits.hops → 5.4.6', () => {
    let bytes: Uint8Array = message;
    for (let i = 0; i < 50; i++) bytes = prependHeader(bytes, 'Received', `from h${i} by h${i + 1}; date`);
    expect(hopCount(bytes)).toBe(50);
    expect(hopLimitExceeded(bytes, 50)).toBeNull();
    bytes = prependHeader(bytes, 'Received', 'from x by y; date');
    expect(hopLimitExceeded(bytes, 50)).toMatchObject({ status: '5.4.6' });
  });

  it('T2: final delivery leaves exactly one Return-Path, on top', () => {
    const withStale = prependHeader(prependHeader(message, 'Return-Path', '<old@x>'), 'Return-Path', '<older@x>');
    const delivered = setReturnPath(withStale, 'alice@sender.net');
    expect(getHeaders(delivered, 'Return-Path')).toEqual(['<alice@sender.net>']);
    expect(dec.decode(delivered).startsWith('Return-Path: <alice@sender.net>\r\n')).toBe(true);
    expect(getHeaders(setReturnPath(message, ''), 'Return-Path')).toEqual(['<>']);
    // Nothing else changed (T3).
    expect(dec.decode(removeHeaders(delivered, 'Return-Path'))).toBe(dec.decode(message));
  });

  it('MSA: adds Message-ID and Date only when missing, at the end of the header block', async () => {
    const supply = { messageId: '<m1@smtp.sender.net>', date: 'Thu, 01 Jan 2026 00:01:00 +0000' };
    const fixed = addMissingMessageIdAndDate(message, supply);
    expect(fixed.added).toEqual(['Message-ID', 'Date']);
    const parsed = await simpleParser(Buffer.from(fixed.bytes));
    expect(parsed.messageId).toBe('<m1@smtp.sender.net>');
    expect(parsed.date?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(parsed.text?.trim()).toBe('body\nReceived: not a header');
    const again = addMissingMessageIdAndDate(fixed.bytes, { messageId: '<other@x>', date: 'x' });
    expect(again.added).toEqual([]);
    expect(again.bytes).toBe(fixed.bytes);
    // A header-only message without a final line ending still gets well-formed fields.
    const bare = addMissingMessageIdAndDate(enc.encode('Subject: x'), supply).bytes;
    expect(dec.decode(bare)).toBe(`Subject: x\r\nMessage-ID: ${supply.messageId}\r\nDate: ${supply.date}\r\n`);
  });

  it('refuses a header value that would inject another field (caller misuse)', () => {
    expect(() => prependHeader(message, 'X-Test', 'a\r\nBcc: evil@x')).toThrow(TypeError);
    expect(() => prependHeader(message, 'X-Test', 'a\nb')).toThrow(TypeError);
    expect(() => prependHeader(message, 'Bad Name', 'a')).toThrow(TypeError);
    expect(getHeader(prependHeader(message, 'X-Test', 'a\r\n b'), 'X-Test')).toBe('a b');
  });

  it('property: prepending a field adds exactly one and leaves every other byte as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z-]{0,10}: [ -~]{0,30}$/), { maxLength: 8 }), fc.string({ maxLength: 40 }), (fields, body) => {
        const bytes = enc.encode(`${fields.join('\r\n')}${fields.length ? '\r\n' : ''}\r\n${body}`);
        const before = parseHeaderBlock(bytes).fields.length;
        const after = prependHeader(bytes, 'Received', 'from a by b; now');
        return (
          parseHeaderBlock(after).fields.length === before + 1 &&
          hopCount(after) === hopCount(bytes) + 1 &&
          dec.decode(after).endsWith(dec.decode(bytes))
        );
      }),
    );
  });
});

describe('Received (T1, RFC 5321 §4.4)', () => {
  const info = {
    heloName: 'smtp.sender.net',
    clientName: 'smtp.sender.net',
    clientAddress: '10.0.0.5',
    byHost: 'mx2.example.org',
    protocol: receivedProtocol({ esmtp: true, tls: true, authenticated: false }),
    id: 'Q1A2B3',
    recipients: ['bob@example.org'],
    atMs: 60_000,
  };

  it('T1: formats from/by/with/id/for; date, folded with CRLF TAB', () => {
    expect(formatReceived(info)).toBe(
      'Received: from smtp.sender.net (smtp.sender.net [10.0.0.5])\r\n' +
        '\tby mx2.example.org with ESMTPS id Q1A2B3\r\n' +
        '\tfor <bob@example.org>; Thu, 01 Jan 2026 00:01:00 +0000\r\n',
    );
  });

  it('T1: "for" only with exactly one recipient; unknown client names and IPv6 literals', () => {
    const line = formatReceived({ ...info, clientName: null, clientAddress: '2001:db8::5', recipients: ['a@x', 'b@x'] });
    expect(line).toContain('(unknown [IPv6:2001:db8::5])');
    expect(line).not.toContain(' for ');
  });

  it('RFC 3848 protocol names', () => {
    expect(receivedProtocol({ esmtp: false, tls: false, authenticated: false })).toBe('SMTP');
    expect(receivedProtocol({ esmtp: true, tls: false, authenticated: false })).toBe('ESMTP');
    expect(receivedProtocol({ esmtp: true, tls: false, authenticated: true })).toBe('ESMTPA');
    expect(receivedProtocol({ esmtp: true, tls: true, authenticated: true })).toBe('ESMTPSA');
  });

  it('a hostile HELO name cannot break the field', () => {
    const line = formatReceived({ ...info, heloName: 'evil\r\nBcc: x (y)' });
    expect(line.split('\r\n').filter((l) => l !== '').every((l, i) => i === 0 || l.startsWith('\t'))).toBe(true);
  });

  it('T1: each hop prepends one; the chain reads back oldest first', () => {
    let bytes: Uint8Array = message;
    for (const [i, host] of ['smtp.sender.net', 'mx2.example.org', 'mx1.example.org'].entries()) {
      bytes = enc.encode(formatReceived({ ...info, byHost: host, atMs: i * 1000 }) + dec.decode(bytes));
    }
    expect(hopCount(bytes)).toBe(3);
    expect(receivedChain(bytes)).toEqual(['smtp.sender.net', 'mx2.example.org', 'mx1.example.org']);
    const parsed = parseReceived(getHeader(bytes, 'Received')!);
    expect(parsed).toMatchObject({ from: 'smtp.sender.net', by: 'mx1.example.org', with: 'ESMTPS', id: 'Q1A2B3', for: 'bob@example.org' });
  });
});
