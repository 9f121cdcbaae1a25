/**
 * An application test: our code sends mail with nodemailer and a user reads it with IMAP, against
 * mailsim's own SMTP and IMAP machines on loopback (ephemeral ports, so tests run in parallel). No
 * process to spawn, no mail server to install.
 */
import { ImapFlow } from 'imapflow';
import { startServer } from 'mailsim/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The application code under test: sends an invoice. */
async function sendInvoice(transport: nodemailer.Transporter, to: string, number: number): Promise<void> {
  await transport.sendMail({ from: 'noreply@example.test', to, subject: `Invoice ${number}`, text: `Your invoice ${number} is attached.` });
}

describe('sending an invoice', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let transport: nodemailer.Transporter;

  beforeAll(async () => {
    server = await startServer({ users: { noreply: 'secret', bob: 'secret' } });
    transport = nodemailer.createTransport({ host: server.host, port: server.ports.submission, requireTLS: true, auth: { user: 'noreply', pass: 'secret' }, tls: { rejectUnauthorized: false } });
  });
  afterAll(async () => {
    transport?.close();
    await server?.close();
  });

  it('reaches Bob, who reads it over IMAP', async () => {
    await sendInvoice(transport, 'bob@example.test', 42);
    const message = await server.waitForMessage({ to: 'bob@example.test', subject: /Invoice 42/ }, { timeoutMs: 5000 });
    expect(message.subject).toBe('Invoice 42');

    const imap = new ImapFlow({ host: server.host, port: server.ports.imap, secure: false, auth: { user: 'bob', pass: 'secret' }, tls: { rejectUnauthorized: false }, logger: false });
    await imap.connect();
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const subjects: string[] = [];
      for await (const m of imap.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      expect(subjects).toContain('Invoice 42');
    } finally {
      lock.release();
      await imap.logout();
    }
  });

  it('reports a refused recipient to the caller instead of losing the invoice', async () => {
    server.inject({ reply: { on: 'rcpt', code: 452, times: 1 } }); // the next RCPT gets 452 (mailbox full)
    await expect(sendInvoice(transport, 'bob@example.test', 43)).rejects.toMatchObject({ responseCode: 452 });
  });
});
