/**
 * DSN construction (docs/delivery.md D1–D7, RFC 3464/3461/6522), checked by parsing the bytes with
 * mailparser (an independent MIME parser) and, for the delivery-status fields, by reading each field
 * block back as a header block with mailparser too.
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildDsn, type DsnInput, decideDsn, parseDsn } from '../../../src/nodes/mta/dsn.js';

const encoder = new TextEncoder();
const original = encoder.encode(
  'From: alice@sender.net\r\nTo: bob@example.org\r\nSubject: Hello\r\nMessage-ID: <m1@sender.net>\r\n\r\nHi Bob\r\n',
);

const failedInput: DsnInput = {
  reportingMta: 'smtp.sender.net',
  originalSender: 'alice@sender.net',
  arrivalMs: 60_000,
  nowMs: 7_200_000,
  messageId: 'dsn1.m1@smtp.sender.net',
  envelopeId: 'QQ314159',
  ret: null,
  original,
  recipients: [
    {
      finalRecipient: 'bob@example.org',
      originalRecipient: 'rfc822;bob@example.org',
      action: 'failed',
      status: '5.1.1',
      remoteMta: 'mx1.example.org',
      diagnostic: '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table',
      lastAttemptMs: 7_100_000,
    },
  ],
};

/** The delivery-status blocks, as mailparser reads them: text after the human part, field blocks. */
async function statusBlocks(bytes: Uint8Array): Promise<Array<Map<string, unknown>>> {
  const parsed = await simpleParser(Buffer.from(bytes));
  const text = parsed.text ?? '';
  const start = text.indexOf('Reporting-MTA:');
  expect(start).toBeGreaterThan(0);
  const blocks = text
    .slice(start)
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '');
  return Promise.all(
    blocks.map(async (block) => (await simpleParser(`${block.replace(/\n/g, '\r\n')}\r\n\r\n`)).headers as Map<string, unknown>),
  );
}

describe('DSN message (D1–D7)', () => {
  it('D1: the envelope is MAIL FROM:<> to the original envelope sender', () => {
    const dsn = buildDsn(failedInput);
    expect(dsn.envelope).toEqual({ from: '', to: ['alice@sender.net'] });
  });

  it('D3: multipart/report; report-type=delivery-status with the three parts; header fields', async () => {
    const dsn = buildDsn(failedInput);
    const parsed = await simpleParser(Buffer.from(dsn.bytes));
    expect(parsed.from?.value[0]?.address).toBe('MAILER-DAEMON@smtp.sender.net');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : null).toBe('alice@sender.net');
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.messageId).toBe('<dsn1.m1@smtp.sender.net>');
    expect(parsed.date?.toISOString()).toBe('2026-01-01T02:00:00.000Z');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status', boundary: dsn.boundary },
    });
    // (1) the human-readable part explains per recipient.
    expect(parsed.text).toMatch(/This is the mail system at host smtp\.sender\.net/);
    expect(parsed.text).toMatch(/<bob@example\.org>: host mx1\.example\.org said: 550 5\.1\.1/);
    // (3) the original message, byte for byte (D6 default for a failure: the full message).
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.contentType).toBe('message/rfc822');
    expect(parsed.attachments[0]!.content.toString('latin1')).toBe(Buffer.from(original).toString('latin1'));
    // Every line ends in CRLF.
    const text = Buffer.from(dsn.bytes).toString('latin1');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('D4/D5: per-message and per-recipient fields (read back by mailparser)', async () => {
    const [perMessage, perRecipient, ...rest] = await statusBlocks(buildDsn(failedInput).bytes);
    expect(rest).toHaveLength(0);
    expect(perMessage!.get('reporting-mta')).toBe('dns; smtp.sender.net');
    expect(perMessage!.get('original-envelope-id')).toBe('QQ314159');
    expect(String(perMessage!.get('arrival-date'))).toMatch(/Thu, 01 Jan 2026 00:01:00 \+0000|2026-01-01T00:01:00/);
    expect(perRecipient!.get('final-recipient')).toBe('rfc822; bob@example.org');
    expect(perRecipient!.get('original-recipient')).toBe('rfc822; bob@example.org');
    expect(perRecipient!.get('action')).toBe('failed');
    expect(perRecipient!.get('status')).toBe('5.1.1');
    expect(perRecipient!.get('remote-mta')).toBe('dns; mx1.example.org');
    expect(perRecipient!.get('diagnostic-code')).toBe(
      'smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table',
    );
    expect(perRecipient!.has('last-attempt-date')).toBe(true);
    expect(perRecipient!.has('will-retry-until')).toBe(false);
  });

  it('D5: Will-Retry-Until only with Action: delayed; delay reports have their own subject', async () => {
    const delayed = buildDsn({
      ...failedInput,
      recipients: [
        { finalRecipient: 'bob@example.org', action: 'delayed', status: '4.4.1', lastAttemptMs: 3_600_000, willRetryUntilMs: 432_000_000 },
        // Will-Retry-Until given for a failed recipient must not be written.
        { finalRecipient: 'carol@example.org', action: 'failed', status: '5.1.1', willRetryUntilMs: 432_000_000 },
      ],
    });
    const parsed = await simpleParser(Buffer.from(delayed.bytes));
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    const [, bob, carol] = await statusBlocks(delayed.bytes);
    expect(bob!.get('action')).toBe('delayed');
    expect(String(bob!.get('will-retry-until'))).toMatch(/06 Jan 2026|2026-01-06/);
    expect(carol!.has('will-retry-until')).toBe(false);

    const onlyDelayed = buildDsn({ ...failedInput, recipients: [{ finalRecipient: 'bob@example.org', action: 'delayed', status: '4.4.1' }] });
    expect(onlyDelayed.subject).toBe('Delayed Mail (still being retried)');
    // A delay warning returns headers only (no RET given).
    expect(onlyDelayed.returned).toBe('headers');
  });

  it('D6: RET=HDRS returns text/rfc822-headers; RET=FULL over the size cap also returns only headers', async () => {
    for (const variant of [{ ret: 'HDRS' as const }, { ret: 'FULL' as const, returnedBytesMax: 10 }]) {
      const dsn = buildDsn({ ...failedInput, ...variant });
      expect(dsn.returned).toBe('headers');
      const parsed = await simpleParser(Buffer.from(dsn.bytes));
      expect(parsed.attachments).toHaveLength(1);
      expect(parsed.attachments[0]!.contentType).toBe('text/rfc822-headers');
      const returned = parsed.attachments[0]!.content.toString('latin1');
      expect(returned).toContain('Subject: Hello');
      expect(returned).not.toContain('Hi Bob');
    }
    expect(buildDsn({ ...failedInput, ret: 'FULL' }).returned).toBe('message');
  });

  it('D7: the status class written matches the diagnostic reply class', () => {
    const parsed = parseDsn(buildDsn(failedInput).bytes)!;
    const recipient = parsed.recipients[0]!;
    expect(recipient.status![0]).toBe(recipient.diagnosticCode!.replace(/^smtp; /, '')[0]);
  });

  it('a hostile diagnostic cannot inject header fields or break the MIME structure', async () => {
    const dsn = buildDsn({
      ...failedInput,
      recipients: [
        {
          ...failedInput.recipients[0]!,
          diagnostic: `550 5.7.1 no\r\nAction: delivered\r\n\r\n--${'x'.repeat(2000)}`,
        },
      ],
    });
    const parsed = parseDsn(dsn.bytes)!;
    expect(parsed.recipients).toHaveLength(1);
    expect(parsed.recipients[0]!.action).toBe('failed');
    expect(parsed.recipients[0]!.diagnosticCode!.length).toBeLessThan(1000);
    const mail = await simpleParser(Buffer.from(dsn.bytes));
    expect(mail.attachments).toHaveLength(1);
  });

  it('the boundary never occurs inside the returned message', async () => {
    const first = buildDsn(failedInput);
    const tricky = encoder.encode(`Subject: x\r\n\r\n--${first.boundary}\r\nnot a part\r\n`);
    const dsn = buildDsn({ ...failedInput, original: tricky });
    expect(dsn.boundary).not.toBe(first.boundary);
    const parsed = await simpleParser(Buffer.from(dsn.bytes));
    expect(parsed.attachments[0]!.content.toString('latin1')).toBe(Buffer.from(tricky).toString('latin1'));
  });

  it('is deterministic: same input, same bytes', () => {
    expect(Buffer.from(buildDsn(failedInput).bytes).equals(Buffer.from(buildDsn(failedInput).bytes))).toBe(true);
  });

  it('parseDsn reads back what buildDsn wrote (property over recipients)', () => {
    const recipientArb = fc.record({
      finalRecipient: fc.tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom('example.org', 'b.example')).map(([l, d]) => `${l}@${d}`),
      action: fc.constantFrom('failed', 'delayed', 'delivered', 'relayed', 'expanded' as const),
      status: fc.tuple(fc.constantFrom('2', '4', '5'), fc.nat(9), fc.nat(20)).map(([c, s, d]) => `${c}.${s}.${d}`),
      diagnostic: fc.option(fc.string({ maxLength: 200 })),
    });
    fc.assert(
      fc.property(fc.array(recipientArb, { minLength: 1, maxLength: 6 }), (recipients) => {
        const parsed = parseDsn(buildDsn({ ...failedInput, recipients }).bytes);
        if (parsed === null || parsed.recipients.length !== recipients.length) return false;
        return recipients.every((r, i) => {
          const got = parsed.recipients[i]!;
          return got.finalRecipient === r.finalRecipient && got.action === r.action && got.status === r.status;
        });
      }),
      { numRuns: 200 },
    );
  });

  it('parseDsn returns null for an ordinary message', () => {
    expect(parseDsn(original)).toBeNull();
  });

  it('refuses to build a bounce of a bounce (caller misuse; D2)', () => {
    expect(() => buildDsn({ ...failedInput, originalSender: '' })).toThrow(/never bounced/);
  });
});

describe('whether to send a DSN (D2, RFC 3461 NOTIFY)', () => {
  it('D2: a null-sender message is never bounced: discard with a reason', () => {
    const decision = decideDsn({ originalSender: '', action: 'failed' });
    expect(decision.kind).toBe('discard');
    if (decision.kind === 'discard') expect(decision.reason).toMatch(/null sender/);
  });

  it('D6: NOTIFY decides which reports go out', () => {
    const sender = 'alice@sender.net';
    expect(decideDsn({ originalSender: sender, action: 'failed' })).toEqual({ kind: 'send-dsn' });
    expect(decideDsn({ originalSender: sender, action: 'delayed' })).toEqual({ kind: 'send-dsn' });
    expect(decideDsn({ originalSender: sender, action: 'delivered' }).kind).toBe('discard');
    expect(decideDsn({ originalSender: sender, action: 'failed', notify: ['NEVER'] }).kind).toBe('discard');
    expect(decideDsn({ originalSender: sender, action: 'failed', notify: ['DELAY'] }).kind).toBe('discard');
    expect(decideDsn({ originalSender: sender, action: 'delayed', notify: ['FAILURE'] }).kind).toBe('discard');
    expect(decideDsn({ originalSender: sender, action: 'delivered', notify: ['SUCCESS'] })).toEqual({ kind: 'send-dsn' });
    expect(decideDsn({ originalSender: sender, action: 'relayed', notify: ['SUCCESS', 'FAILURE'] })).toEqual({ kind: 'send-dsn' });
  });
});
