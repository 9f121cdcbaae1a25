/**
 * The HTTP API against the real `mailpit-api` npm client (issue 20 point 1): a serve host in this
 * process, mail sent over SMTP with nodemailer, then read, searched, marked, deleted and chaos set
 * through MailpitClient exactly as a test suite written for Mailpit does. Loopback only.
 */
import { MailpitClient } from 'mailpit-api';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHttpApi, startHttpApi } from '../../src/http/api.js';
import { type InProcessServe, serveInProcess } from '../interop/harness.js';
import { asJson } from './json.js';

let serve: InProcessServe;
let http: RunningHttpApi;
let mailpit: MailpitClient;
let base: string;

beforeAll(async () => {
  serve = await serveInProcess();
  http = await startHttpApi({ host: serve.running.host, port: 0 });
  base = `http://127.0.0.1:${http.port}`;
  mailpit = new MailpitClient(base);
});
afterAll(async () => {
  await http?.close();
  await serve?.stop();
});

function smtp() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.smtp, secure: false, ignoreTLS: true });
}

describe('mailpit-api against mailsim serve', () => {
  it('lists, reads, searches, marks and deletes what SMTP stored', async () => {
    await smtp().sendMail({ from: 'Alice <alice@example.test>', to: 'Bob <bob@example.test>', subject: 'Invoice 42', text: 'Please pay.', html: '<p>Please <b>pay</b>.</p>', attachments: [{ filename: 'a.txt', content: 'attached text' }] });
    await smtp().sendMail({ from: 'carol@example.test', to: 'alice@example.test', subject: 'Lunch?', text: 'At noon.' });
    const waited = await mailpit.waitForMessages({ count: 2 }, { timeout: 5_000, interval: 50 });
    expect(waited.total).toBe(2);
    expect(waited.messages.map((m) => m.Subject)).toEqual(['Lunch?', 'Invoice 42']); // newest first, as Mailpit lists
    expect(waited.unread).toBe(2);

    const invoice = waited.messages.find((m) => m.Subject === 'Invoice 42')!;
    expect(invoice.From).toEqual({ Name: 'Alice', Address: 'alice@example.test' });
    expect(invoice.To).toEqual([{ Name: 'Bob', Address: 'bob@example.test' }]);
    expect(invoice.Attachments).toBe(1);
    expect(invoice.Snippet).toBe('Please pay.');

    const whole = await mailpit.getMessageSummary(invoice.ID);
    expect(whole.Text.trim()).toBe('Please pay.');
    expect(whole.HTML).toContain('<b>pay</b>');
    expect(whole.Attachments.map((a) => [a.FileName, a.Size])).toEqual([['a.txt', 13]]);
    expect(whole.ReturnPath).toBe('alice@example.test');
    const part = await mailpit.getMessageAttachment(invoice.ID, whole.Attachments[0]!.PartID);
    expect(await part.text()).toBe('attached text');

    const headers = await mailpit.getMessageHeaders(invoice.ID);
    expect(headers.Subject).toEqual(['Invoice 42']);
    expect(headers['Return-Path']).toEqual(['<alice@example.test>']);
    const raw = await mailpit.getMessageSource(invoice.ID);
    expect(raw).toMatch(/^Return-Path: <alice@example\.test>\r\nReceived: from /);

    // getMessageSummary marked it read (Mailpit does the same)
    expect((await mailpit.listMessages()).unread).toBe(1);
    expect((await mailpit.searchMessages({ query: 'is:unread' })).messages.map((m) => m.Subject)).toEqual(['Lunch?']);
    expect((await mailpit.searchMessages({ query: 'to:bob@example.test subject:invoice' })).messages_count).toBe(1);
    expect((await mailpit.searchMessages({ query: 'from:carol' })).messages.map((m) => m.Subject)).toEqual(['Lunch?']);
    expect((await mailpit.searchMessages({ query: '-from:carol' })).messages.map((m) => m.Subject)).toEqual(['Invoice 42']);
    expect((await mailpit.searchMessages({ query: 'noon' })).messages_count).toBe(1);

    await mailpit.setReadStatus({ IDs: [invoice.ID], Read: false });
    expect((await mailpit.listMessages()).unread).toBe(2);
    await mailpit.setReadStatus({ Read: true });
    expect((await mailpit.listMessages()).unread).toBe(0);

    // paging
    const second = await mailpit.listMessages(1, 1);
    expect([second.start, second.count, second.total, second.messages[0]?.Subject]).toEqual([1, 1, 2, 'Invoice 42']);

    await mailpit.deleteMessages({ IDs: [invoice.ID] });
    expect((await mailpit.listMessages()).messages.map((m) => m.Subject)).toEqual(['Lunch?']);
    await expect(mailpit.getMessageSummary(invoice.ID)).rejects.toThrow(/404/);
    await mailpit.deleteMessages();
    expect((await mailpit.listMessages()).total).toBe(0);
    expect((await mailpit.getInfo()).Messages).toBe(0);
  });

  it('what the API deleted is gone for IMAP readers too: one store', async () => {
    await smtp().sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'one store', text: 'x' });
    const message = await mailpit.waitForMessage({ query: 'subject:"one store"' }, { timeout: 5_000, interval: 50 });
    const inbox = () => serve.running.host.local!.storeOf(serve.running.host.config.users.find((u) => u.name === 'bob')!).folder('INBOX')!.messages().length;
    expect(inbox()).toBe(1);
    await mailpit.deleteMessagesBySearch({ query: `message-id:${message.MessageID}` });
    expect(inbox()).toBe(0);
  });

  it('chaos: a Recipient trigger at 100 % makes RCPT fail with its code; off again, mail flows', async () => {
    const set = await mailpit.setChaosTriggers({ Recipient: { ErrorCode: 451, Probability: 100 } });
    expect(set.Recipient).toEqual({ ErrorCode: 451, Probability: 100 });
    expect((await mailpit.getChaosTriggers()).Sender.Probability).toBe(0);
    await expect(smtp().sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'chaos', text: 'x' })).rejects.toThrow(/451/);
    await mailpit.setChaosTriggers({});
    await smtp().sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'after chaos', text: 'x' });
    await mailpit.waitForMessage({ query: 'subject:"after chaos"' }, { timeout: 5_000, interval: 50 });
  });

  it('chaos: a code outside 400–599 or an Authentication trigger is bad input (400, JSON, nothing changed)', async () => {
    const put = (body: string) => fetch(`${base}/api/v1/chaos`, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });
    const wrongCode = await put('{"Sender":{"ErrorCode":250,"Probability":100}}');
    expect(wrongCode.status).toBe(400);
    expect(await wrongCode.json().then(asJson)).toEqual({ Error: expect.stringMatching(/400 to 599/), where: 'body.Sender.ErrorCode' });
    const auth = await put('{"Authentication":{"ErrorCode":535,"Probability":50}}');
    expect(auth.status).toBe(400);
    expect((await auth.json().then(asJson)).where).toBe('body.Authentication.Probability');
    expect((await mailpit.getChaosTriggers()).Sender.Probability).toBe(0);
  });

  it('an unknown id is 404; an unsupported search operator is 400 naming it', async () => {
    await expect(mailpit.getMessageSummary('nope')).rejects.toThrow(/404/);
    const response = await fetch(`${base}/api/v1/search?query=${encodeURIComponent('before:2020-01-01')}`);
    expect(response.status).toBe(400);
    expect(await response.json().then(asJson)).toEqual({ Error: expect.stringMatching(/before: is not supported/), where: 'query.query' });
  });
});
