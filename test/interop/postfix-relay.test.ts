/**
 * A real Postfix relaying into `mailsim serve` (issue 19): Debian's Postfix, started by the fidelity
 * suite's launcher with its own config directory under a temp dir (test/fidelity/postfix.ts: never the
 * system's /etc/postfix, a private mount namespace for its resolv.conf), takes mail on its smtpd and
 * relays it through `relayhost = [127.0.0.1]:PORT` to serve's port-25 listener, with
 * `smtp_tls_security_level = encrypt` (STARTTLS required, serve's self-signed certificate). Every
 * message lands in Bob's INBOX exactly once, received over TLS (`with ESMTPS`, RFC 3848), and
 * Postfix logs each as sent. Needs root (the mount namespace), postfix and unshare; skipped without
 * them, and a failure when CI is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject, type RunningPostfix, startPostfix } from '../fidelity/postfix.js';
import { eventually, freePort, haveTools, type InProcessServe, inboxOf, serveInProcess, tempDir } from './harness.js';

function enabled(): boolean {
  if (!haveTools('postfix', 'postconf', 'unshare', 'mount')) {
    if (process.env.CI) throw new Error('postfix-relay: postfix, postconf, unshare or mount is missing (scripts/install-system-deps.sh)');
    return false;
  }
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error('postfix-relay: needs root (a private mount namespace for Postfix)');
  return false;
}

const messages = 20;

describe.skipIf(!enabled())('a real Postfix relaying into mailsim serve', () => {
  const dir = tempDir('mailsim-postfix-relay-');
  let serve: InProcessServe;
  let postfix: RunningPostfix;
  let smtpdPort: number;

  beforeAll(async () => {
    serve = await serveInProcess({ domains: ['example.test'], users: ['bob:secret'] });
    smtpdPort = await freePort();
    postfix = await startPostfix({
      dir: dir.path,
      // No lookups: the relay host is an address literal (the resolver is never asked).
      dnsAddress: '127.0.0.1',
      smtpdPort,
      parameters: {
        relayhost: `[127.0.0.1]:${serve.ports.smtp}`,
        smtp_tls_security_level: 'encrypt',
        queue_run_delay: '1s',
        minimal_backoff_time: '1s',
        maximal_backoff_time: '2s',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await postfix?.stop();
    await serve?.stop();
    dir.remove();
  }, 60_000);

  it(`delivers ${messages} messages, each once, over STARTTLS`, async () => {
    for (let k = 1; k <= messages; k++) await inject(smtpdPort, 'alice@sender.test', 'bob@example.test', `relay ${k}`);
    await eventually(() => inboxOf(serve, 'bob').length >= messages, 30_000, `${messages} messages in Bob's INBOX`).catch((error: Error) => {
      throw new Error(`${error.message}; Postfix's log ends:\n${postfix.maillog().split('\n').slice(-15).join('\n')}`);
    });
    const inbox = inboxOf(serve, 'bob');
    const subjects = inbox.map((text) => /^Subject: (.*)$/m.exec(text)?.[1]).sort();
    expect(subjects).toEqual(Array.from({ length: messages }, (_, i) => `relay ${i + 1}`).sort());
    for (const text of inbox) expect(text).toMatch(/^Received: from [^\n]*\n?[^\n]*with ESMTPS id /m);
    const sent = postfix.maillog().split('\n').filter((line) => / to=<bob@example\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .* status=sent /.test(line));
    expect(sent).toHaveLength(messages);
  }, 90_000);
});
