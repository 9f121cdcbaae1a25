/**
 * The real CLI (`node bin/mailsim.js serve`, every port 0) driven by swaks and curl: LISTEN lines for
 * the seven listeners and the HTTP API, swaks `--tls --auth` on submission and `--tlsc` on smtps, curl over smtp://,
 * pop3:// (STLS) and imap:// (STARTTLS), and a graceful SIGTERM: exit 0, with the remote mail that has
 * no relay listed as QUEUED (docs/reference.md §12).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServe, findTool, haveTools, run, serveCli } from './harness.js';

const enabled = haveTools('swaks', 'curl');
let serve: CliServe;

beforeAll(async () => {
  if (enabled) serve = await serveCli(['--domain', 'example.test', '--domain', 'example.org', '--user', 'carol:pw1', '--user', 'dave:pw2']);
});
afterAll(async () => {
  await serve?.stop(2_000);
});

const swaks = (...args: string[]) => run(findTool('swaks') ?? 'swaks', ['--server', '127.0.0.1', '--hide-send', '--suppress-data', ...args]);
const curl = (...args: string[]) => run(findTool('curl') ?? 'curl', ['--silent', '--show-error', '--insecure', '--max-time', '10', ...args]);

describe.skipIf(!enabled)('mailsim serve (CLI) with swaks and curl', () => {
  it('prints one LISTEN line per listener, in order, the HTTP API last, on loopback', () => {
    const lines = serve.stdout().split('\n').filter((line) => line.startsWith('LISTEN '));
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps', 'http']);
    for (const line of lines) expect(line).toMatch(/^LISTEN [a-z0-9]+ 127\.0\.0\.1:\d+$/);
  });

  it('swaks --tls --auth on submission; --tlsc on smtps; plain on smtp for a second domain', async () => {
    const sub = await swaks('--port', String(serve.ports.submission), '--tls', '--auth', 'LOGIN', '--auth-user', 'carol', '--auth-password', 'pw1', '--from', 'carol@example.test', '--to', 'dave@example.org');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/<~ +235 /); // AUTH accepted inside TLS
    expect(sub.stdout).toMatch(/<~ +250 2\.0\.0/);
    const tlsc = await swaks('--port', String(serve.ports.smtps), '--tlsc', '--auth', 'PLAIN', '--auth-user', 'dave@example.org', '--auth-password', 'pw2', '--from', 'dave@example.org', '--to', 'someone@remote.invalid');
    expect(tlsc.code).toBe(0);
    const mta = await swaks('--port', String(serve.ports.smtp), '--from', 'x@remote.invalid', '--to', 'carol@example.org', '--header', 'Subject: to carol');
    expect(mta.code).toBe(0);
    const unknown = await swaks('--port', String(serve.ports.smtp), '--from', 'x@remote.invalid', '--to', 'nobody@example.test');
    expect(unknown.stdout).toMatch(/<\*\* +550 5\.1\.1/);
    const badAuth = await swaks('--port', String(serve.ports.submission), '--tls', '--auth', 'PLAIN', '--auth-user', 'carol', '--auth-password', 'wrong', '--to', 'dave@example.org');
    expect(badAuth.stdout).toMatch(/<~\* +535 5\.7\.8/);
  });

  it('curl smtp:// sends; pop3:// with STLS lists and retrieves; imap:// with STARTTLS searches and fetches', async () => {
    const sent = await run(findTool('curl') ?? 'curl', ['--silent', '--show-error', '--max-time', '10', `smtp://127.0.0.1:${serve.ports.smtp}`, '--mail-from', 'ext@remote.invalid', '--mail-rcpt', 'dave@example.test', '-T', '-'], {
      input: 'From: ext@remote.invalid\r\nTo: dave@example.test\r\nSubject: by curl\r\n\r\nsent with curl\r\n',
    });
    expect(sent.code).toBe(0);
    const list = await curl('--ssl-reqd', `pop3://127.0.0.1:${serve.ports.pop3}/`, '-u', 'dave:pw2');
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split(/\r?\n/)).toHaveLength(2); // the swaks message and curl's
    const retr = await curl('--ssl-reqd', `pop3://127.0.0.1:${serve.ports.pop3}/2`, '-u', 'dave:pw2');
    expect(retr.stdout).toContain('Subject: by curl');
    const search = await curl('--ssl-reqd', `imap://127.0.0.1:${serve.ports.imap}/INBOX`, '-u', 'carol:pw1', '-X', 'UID SEARCH SUBJECT "to carol"');
    expect(search.stdout).toMatch(/^\* SEARCH \d+/m);
    const fetched = await curl('--ssl-reqd', `imap://127.0.0.1:${serve.ports.imap}/INBOX;UID=1`, '-u', 'carol:pw1');
    expect(fetched.stdout).toMatch(/^Return-Path: <x@remote\.invalid>\r?\n/);
    const imaps = await curl(`imaps://127.0.0.1:${serve.ports.imaps}/`, '-u', 'carol:pw1');
    expect(imaps.stdout).toMatch(/INBOX/);
    const pop3s = await curl(`pop3s://127.0.0.1:${serve.ports.pop3s}/`, '-u', 'carol:pw1');
    expect(pop3s.code).toBe(0);
  });

  it('SIGTERM: exits 0 and lists the recipient it could not route (no --relay-to)', async () => {
    const code = await serve.stop(5_000);
    expect(code).toBe(0);
    expect(serve.stdout()).toMatch(/^QUEUED \S+ <[^>]+> someone@remote\.invalid$/m);
    expect(serve.stderr()).toContain('stopped');
  });
});
