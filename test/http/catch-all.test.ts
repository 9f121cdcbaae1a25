/**
 * `mailsim serve --catch-all` as a capture server (issue 20: "tests written against Mailpit should be
 * able to point at mailsim unchanged"): mail for any address of any domain — the addresses an
 * application's own tests use — is accepted on the SMTP port, kept in one mailbox, listed by the
 * Mailpit API with its own To/Cc, and nothing is relayed or queued. Without it the same send is refused
 * (550 5.1.1 for an unknown local user, 554 5.7.1 for another domain). Loopback only.
 */
import { MailpitClient } from 'mailpit-api';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/bridge/config.js';
import { type RunningHttpApi, startHttpApi } from '../../src/http/api.js';
import { type InProcessServe, serveInProcess } from '../interop/harness.js';

let serve: InProcessServe | null = null;
let http: RunningHttpApi | null = null;
afterEach(async () => {
  await http?.close();
  await serve?.stop();
  http = null;
  serve = null;
});

async function start(catchAll?: string | true) {
  serve = await serveInProcess(catchAll === undefined ? {} : { catchAll });
  http = await startHttpApi({ host: serve.running.host, port: 0 });
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ports.smtp, secure: false, ignoreTLS: true });
  return { smtp, mailpit: new MailpitClient(`http://127.0.0.1:${http.port}`) };
}

describe('serve --catch-all', () => {
  it('keeps mail for any address of any domain in one mailbox, listed as Mailpit lists it', async () => {
    const { smtp, mailpit } = await start(true);
    await smtp.sendMail({ from: 'app@shop.example.com', to: 'Customer <customer@gmail.com>', cc: 'nobody@example.test', subject: 'Your order', text: 'Shipped.' });
    const message = await mailpit.waitForMessage({ query: 'to:customer@gmail.com subject:"Your order"' }, { timeout: 5_000, interval: 50 });
    expect(message.To).toEqual([{ Name: 'Customer', Address: 'customer@gmail.com' }]);
    expect(message.Cc).toEqual([{ Name: '', Address: 'nobody@example.test' }]);
    expect((await mailpit.listMessages()).total).toBe(1); // one copy for both recipients, as Mailpit keeps one per transaction
    const host = serve!.running.host;
    expect(host.queue.size).toBe(0);
  });

  it('a user of its own still gets their own copy; the captured ones share one', async () => {
    const { smtp, mailpit } = await start('bob');
    await smtp.sendMail({ from: 'app@shop.example.com', to: ['alice@example.test', 'x@one.example', 'y@two.example'], subject: 'both', text: 'x' });
    await mailpit.waitForMessages({ count: 2 }, { timeout: 5_000, interval: 50 });
    const host = serve!.running.host;
    const inbox = (name: string) => host.local!.storeOf(host.config.users.find((u) => u.name === name)!).folder('INBOX')!.messages().length;
    expect([inbox('alice'), inbox('bob')]).toEqual([1, 1]);
  });

  it('without it, an unknown user is refused with 550 5.1.1 and another domain with 554 5.7.1', async () => {
    const { smtp } = await start();
    await expect(smtp.sendMail({ from: 'app@shop.example.com', to: 'nobody@example.test', subject: 'x', text: 'x' })).rejects.toThrow(/550 5\.1\.1/);
    await expect(smtp.sendMail({ from: 'app@shop.example.com', to: 'customer@gmail.com', subject: 'x', text: 'x' })).rejects.toThrow(/554 5\.7\.1/);
  });

  it('names a user, refuses an unknown one, and refuses --relay-to beside it', () => {
    expect(buildServeConfig({ catchAll: 'bob' }).config.catchAll).toEqual({ user: 'bob', anyDomain: true });
    expect(buildServeConfig({ catchAll: true }).config.catchAll).toEqual({ user: 'alice', anyDomain: true });
    expect(() => buildServeConfig({ catchAll: 'zed' })).toThrow('--catch-all zed: no such user (users: alice, bob)');
    expect(() => buildServeConfig({ catchAll: true, relay: true })).toThrow(/--relay-to/);
  });
});
