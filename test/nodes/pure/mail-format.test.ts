/**
 * Addresses (RFC 5321 §4.5.3.1 limits, docs/delivery.md §4), header-block helpers (hop counting for loop
 * detection, T2 Return-Path, MSA fix-ups) and the Received field (T1).
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  domainOf,
  normaliseAddress,
  parseAddress,
  parsePath,
  sameAddress,
  splitByDomain,
} from '../../../src/nodes/mail/address.js';
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

describe('addresses (RFC 5321 §4.1.2, §4.5.3.1)', () => {
  it('lower-cases the domain and keeps the local part', () => {
    expect(parseAddress('Bob.Smith@Example.ORG')).toMatchObject({ ok: true, normalised: 'Bob.Smith@example.org' });
    expect(normaliseAddress('<Bob@EXAMPLE.org>')).toBe('Bob@example.org');
    expect(sameAddress('bob@EXAMPLE.org', 'bob@example.org')).toBe(true);
    expect(sameAddress('Bob@example.org', 'bob@example.org')).toBe(false);
    expect(domainOf('bob@Example.Org')).toBe('example.org');
  });

  it('the null path is ""', () => {
    expect(parsePath('<>')).toEqual({ ok: true, nullPath: true, normalised: '' });
    expect(parsePath('')).toMatchObject({ nullPath: true });
    expect(normaliseAddress('<>')).toBe('');
  });

  it('§4.5.3.1: local part 64, domain 255, path 256 octets', () => {
    const label = 'a'.repeat(63);
    const domain253 = [label, label, label, 'a'.repeat(61)].join('.');
    expect(domain253.length).toBe(253);
    expect(parseAddress(`${'x'.repeat(64)}@example.org`).ok).toBe(true);
    expect(parseAddress(`${'x'.repeat(65)}@example.org`)).toMatchObject({ ok: false, code: 501 });
    expect(parseAddress(`x@${'a'.repeat(64)}.org`)).toMatchObject({ ok: false, error: expect.stringMatching(/label/) });
    expect(parseAddress(`x@${domain253}`).ok).toBe(true);
    expect(parseAddress(`x@${'a'.repeat(63)}.${domain253}`)).toMatchObject({ ok: false, error: expect.stringMatching(/255/) });
    // A 256-octet path: "<" + 254 octets + ">" fits; one more octet does not.
    const domain191 = [label, label, label].join('.');
    const fits = `${'x'.repeat(254 - 1 - domain191.length)}@${domain191}`;
    expect(fits.length).toBe(254);
    expect(parsePath(`<${fits}>`).ok).toBe(true);
    expect(parsePath(`<x${fits}>`)).toMatchObject({ ok: false, error: expect.stringMatching(/path longer than 256/) });
    // UTF-8 counts in octets.
    expect(parseAddress(`${'é'.repeat(32)}@example.org`).ok).toBe(true);
    expect(parseAddress(`${'é'.repeat(33)}@example.org`).ok).toBe(false);
  });

  it('rejects malformed addresses with 501 5.1.3, never throws', () => {
    for (const bad of ['bob', '@example.org', 'bob@', 'bo b@example.org', 'bob@exa_mple.org', 'bob@-x.org', '<bob@x.org', 'a..b@x.org']) {
      const result = parsePath(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.enhanced).toBe('5.1.3');
    }
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => typeof parsePath(text).ok === 'boolean'));
  });

  it('accepts quoted local parts, address literals, and ignores a source route', () => {
    expect(parsePath('<"john doe"@example.org>')).toMatchObject({ ok: true, normalised: '"john doe"@example.org' });
    expect(parsePath('<postmaster@[10.0.0.1]>')).toMatchObject({ ok: true, normalised: 'postmaster@[10.0.0.1]' });
    expect(parsePath('<@relay.example,@b.example:bob@Example.org>')).toMatchObject({ ok: true, normalised: 'bob@example.org' });
  });

  it('recipients split into per-domain transactions, in first-seen order', () => {
    const groups = splitByDomain(['a@x.org', 'b@Y.org', 'c@X.ORG', 'd@z.org'], (r) => r);
    expect(groups).toEqual([
      { domain: 'x.org', items: ['a@x.org', 'c@X.ORG'] },
      { domain: 'y.org', items: ['b@Y.org'] },
      { domain: 'z.org', items: ['d@z.org'] },
    ]);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it('property: splitByDomain is a partition that keeps order', () => {
    const addressArb = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x.org', 'X.org', 'y.net', 'z.com')).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(fc.array(addressArb, { maxLength: 30 }), (addresses) => {
        const items = addresses.map((address, index) => ({ address, index }));
        const groups = splitByDomain(items, (item) => item.address);
        const flattened = groups.flatMap((group) => group.items);
        if (flattened.length !== items.length) return false;
        const domains = groups.map((group) => group.domain);
        if (new Set(domains).size !== domains.length) return false;
        return groups.every(
          (group) =>
            group.items.every((item) => domainOf(item.address) === group.domain) &&
            group.items.every((item, i) => i === 0 || group.items[i - 1]!.index < item.index),
        );
      }),
    );
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
