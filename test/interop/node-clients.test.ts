/**
 * npm mail clients against `mailsim serve` (in-process): nodemailer sends over submission (STARTTLS +
 * AUTH LOGIN/PLAIN) and smtps (implicit TLS); imapflow reads over IMAPS and IMAP+STARTTLS: LIST,
 * mailbox lock, FETCH of envelope and source, flags, IDLE waking on a new delivery (EXISTS), and
 * non-ASCII mailbox names, which imapflow encodes and decodes itself (modified UTF-7, RFC 3501 §5.1.3).
 */
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessServe, inboxOf, serveInProcess } from './harness.js';

let serve: InProcessServe;
beforeAll(async () => {
  serve = await serveInProcess();
});
afterAll(async () => {
  await serve?.stop();
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('nodemailer as the sender, imapflow as the reader', () => {
  it('nodemailer: submission with STARTTLS (required) + AUTH, and smtps with implicit TLS', async () => {
    const tls = { rejectUnauthorized: false };
    const submission = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.submission, secure: false, requireTLS: true, auth: { user: 'alice', pass: 'secret' }, tls });
    const first = await submission.sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'via 587', text: 'hello over STARTTLS' });
    expect(first.accepted).toEqual(['bob@example.test']);
    expect(first.response).toMatch(/^250 /);
    const smtps = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.smtps, secure: true, auth: { user: 'alice@example.test', pass: 'secret' }, tls });
    const second = await smtps.sendMail({ from: 'alice@example.test', to: ['bob@example.test', 'alice@example.test'], subject: 'via 465', text: 'hello over TLS' });
    expect(second.accepted.sort()).toEqual(['alice@example.test', 'bob@example.test']);
    const wrong = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.submission, secure: false, requireTLS: true, auth: { user: 'alice', pass: 'nope' }, tls });
    await expect(wrong.sendMail({ from: 'alice@example.test', to: 'bob@example.test', text: 'x' })).rejects.toThrow(/535/);
  });

  it('imapflow over IMAPS: list, fetch envelopes and sources, set \\Seen', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: serve.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'bob', pass: 'secret' }, logger: quiet });
    await client.connect();
    try {
      const folders = await client.list();
      expect(folders.map((f) => f.path)).toContain('INBOX');
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true, source: true, uid: true })) {
          subjects.push(message.envelope?.subject ?? '');
          expect(message.source?.toString()).toMatch(/^Return-Path: <alice@example\.test>\r\nReceived: from /);
        }
        expect(subjects.sort()).toEqual(['via 465', 'via 587']);
        await client.messageFlagsAdd('1:*', ['\\Seen']);
        const flags: string[][] = [];
        for await (const message of client.fetch('1:*', { flags: true })) flags.push([...(message.flags ?? [])]);
        expect(flags.map((f) => f.includes('\\Seen'))).toEqual([true, true]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });
  it('imapflow: non-ASCII mailbox names round-trip in modified UTF-7 (CREATE, LIST, APPEND, SELECT, STATUS)', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: serve.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 'secret' }, logger: quiet });
    await client.connect();
    try {
      await client.mailboxCreate(['Entwürfe', '日本語']);
      const paths = (await client.list()).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['Entwürfe', 'Entwürfe/日本語']));
      await client.append('Entwürfe/日本語', 'From: alice@example.test\r\nSubject: entwurf\r\n\r\nnoch nicht fertig\r\n');
      const status = await client.status('Entwürfe/日本語', { messages: true });
      expect(status).toMatchObject({ path: 'Entwürfe/日本語', messages: 1 });
      const mailbox = await client.mailboxOpen('Entwürfe/日本語');
      expect(mailbox.path).toBe('Entwürfe/日本語');
      expect(mailbox.exists).toBe(1);
      await client.mailboxClose();
    } finally {
      await client.logout();
    }
    // The server decoded the names: the store holds the Unicode folder, not the wire spelling.
    expect(inboxOf(serve, 'alice', 'Entwürfe/日本語').some((m) => m.includes('Subject: entwurf'))).toBe(true);
  });


  it('imapflow over IMAP with STARTTLS: IDLE sees a message delivered meanwhile', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: serve.ports.imap, secure: false, doSTARTTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 'secret' }, logger: quiet });
    await client.connect();
    try {
      const mailbox = await client.mailboxOpen('INBOX');
      const before = mailbox.exists;
      const grew = new Promise<number>((resolve) => client.on('exists', (data: { count: number }) => resolve(data.count)));
      const idling = client.idle();
      const sender = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.smtp, secure: false, ignoreTLS: true });
      await sender.sendMail({ from: 'bob@example.test', to: 'alice@example.test', subject: 'while idle', text: 'wake up' });
      expect(await grew).toBe(before + 1);
      void idling;
    } finally {
      await client.logout();
    }
    expect(inboxOf(serve, 'alice').some((m) => m.includes('Subject: while idle'))).toBe(true);
  });
});
