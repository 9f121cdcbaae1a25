/**
 * The cheap scan (src/http/header-scan.ts) against the full parse (mailparser, message-view.ts): on
 * each fixture the summary's fields equal the list item made from the full parse — folded headers,
 * RFC 2047 encoded-words (Q and B, split over two words, two charsets), groups, several To fields,
 * punycode — and the Snippet of a plain body equals the full parse's, while a multipart message
 * leaves it to the full parse.
 */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { scanSummary } from '../../src/http/header-scan.js';
import { listItem } from '../../src/http/message-view.js';
import { StoredRef } from '../../src/http/captured.js';

const crlf = (lines: string[]) => new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);

const fixtures: Record<string, Uint8Array> = {
  plain: crlf(['From: Alice <alice@example.test>', 'To: bob@example.test', 'Subject: hello', 'Message-ID: <m1@example.test>', '', 'Hello Bob,', '', 'see you.']),
  folded: crlf([
    'From: "Alice Liddell"',
    '\t<alice@example.test>',
    'To: bob@example.test,',
    ' carol@example.test, "Dave, Jr." <dave@example.test>',
    'Subject: a subject that is long',
    '  and folded over',
    '\tthree lines',
    'Message-ID:',
    ' <folded@example.test>',
    'Cc: Eve <eve@example.test>',
    'Reply-To: replies@example.test',
    '',
    'Body.',
  ]),
  encodedQ: crlf(['From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.test>', 'To: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.test>', 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=', '', 'x']),
  encodedB: crlf([
    'From: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.test>',
    'To: bob@example.test',
    // One character (é, C3 A9) split over two adjacent words: they are joined before decoding.
    'Subject: =?UTF-8?B?Y2Fmw6k=?= =?UTF-8?B?IGF1IGxhaXQg4piV?=',
    ' plain tail',
    '',
    'x',
  ]),
  twoCharsets: crlf(['From: a@example.test', 'To: b@example.test', 'Subject: =?iso-8859-1?q?caf=E9?= =?utf-8?q?_na=C3=AFve?= end', '', 'x']),
  groupsAndRepeats: crlf(['From: a@example.test', 'To: undisclosed-recipients:;', 'To: Team: x@example.test, "Y" <y@example.test>;', 'Cc: z@example.test', 'Bcc: hidden@example.test', 'Subject: groups', '', 'x']),
  punycode: crlf(['From: "Müller" <info@xn--mller-kva.example>', 'To: bob@example.test', 'Subject: idn', '', 'x']),
  quotedPrintable: crlf(['From: a@example.test', 'To: b@example.test', 'Subject: qp', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: quoted-printable', '', 'Gr=C3=BC=C3=9Fe, a soft=', ' break and   spaces', '']),
  base64Body: crlf(['From: a@example.test', 'To: b@example.test', 'Subject: b64', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from('Hällo\r\nWorld'.repeat(40)).toString('base64')]),
  multipart: crlf([
    'From: a@example.test',
    'To: b@example.test',
    'Subject: =?utf-8?q?with_attachment?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    '--b1',
    'Content-Type: application/octet-stream; name="a.bin"',
    'Content-Disposition: attachment; filename="a.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAw==',
    '--b1--',
  ]),
  noHeaders: crlf(['', 'only a body']),
};

const ref = (bytes: Uint8Array) => new StoredRef('bob', 'INBOX', 1, 1, { uid: 1, flags: [], internalDateMs: 0, size: bytes.length });

describe('the cheap header scan gives what the full parse gives', () => {
  for (const [name, bytes] of Object.entries(fixtures)) {
    it(name, async () => {
      const full = listItem(ref(bytes), await simpleParser(Buffer.from(bytes), { skipImageLinks: true, skipTextLinks: true }));
      const summary = scanSummary(bytes);
      expect(summary).not.toBeNull();
      const { body, ...headers } = summary!;
      expect(headers).toEqual({ MessageID: full.MessageID, From: full.From, To: full.To, Cc: full.Cc, Bcc: full.Bcc, ReplyTo: full.ReplyTo, Subject: full.Subject });
      if (body !== null) expect(body).toEqual({ Snippet: full.Snippet, Attachments: full.Attachments });
    });
  }

  it('decodes the fixtures the way a reader would', () => {
    expect(scanSummary(fixtures.encodedQ!)!.Subject).toBe('Grüße aus Köln');
    expect(scanSummary(fixtures.encodedB!)!.Subject).toBe('café au lait ☕ plain tail');
    expect(scanSummary(fixtures.folded!)!.Subject).toBe('a subject that is long and folded over three lines');
    expect(scanSummary(fixtures.encodedQ!)!.From).toEqual({ Name: 'André Pirard', Address: 'pirard@example.test' });
  });

  it('reads the body of a plain message only: a multipart one is left to the full parse', () => {
    expect(scanSummary(fixtures.plain!)!.body).toEqual({ Snippet: 'Hello Bob, see you.', Attachments: 0 });
    expect(scanSummary(fixtures.multipart!)!.body).toBeNull();
  });

  it('leaves a charset it does not know to the full parse', () => {
    expect(scanSummary(crlf(['Subject: =?x-unknown-charset?q?abc?=', '', 'x']))).toBeNull();
  });
});

describe('firstReceived', () => {
  it('reads the first Received field unfolded, as the full field list does, and null without one', async () => {
    const { firstReceived, headerFields } = await import('../../src/http/header-scan.js');
    const message = new TextEncoder().encode('Return-Path: <a@b.test>\r\nReceived: from x (x [127.0.0.1])\r\n\tby mail.example.test with ESMTP id Q0001;\r\n Fri, 4 Dec 2026 12:00:00 +0000\r\nReceived: from y\r\nSubject: s\r\n\r\nbody Received: no\r\n');
    const viaFields = headerFields(message).fields.find((field) => field.key === 'received')?.value;
    expect(firstReceived(message)).toBe(viaFields);
    expect(firstReceived(message)).toBe('from x (x [127.0.0.1]) by mail.example.test with ESMTP id Q0001; Fri, 4 Dec 2026 12:00:00 +0000');
    expect(firstReceived(new TextEncoder().encode('Subject: s\r\n\r\nReceived: in the body\r\n'))).toBeNull();
  });
});
