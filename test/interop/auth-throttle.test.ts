/**
 * Password guessing against `mailsim serve` on the real clock, with Python's smtplib, poplib and imaplib
 * (issue 19 §2): SMTP AUTH failures count as errors — ten answered at once, then each reply
 * `smtp-error-delay` late, `421 4.7.0` at `smtp-hard-errors` (Postfix's error limits); a failed POP3 or
 * IMAP login is answered `auth-failure-delay` late (Dovecot's `auth_failure_delay`) and the third ends
 * the session. One serve runs the defaults (1 s, 2 s), one a scenario with short delays so the whole
 * run to the hang-up stays quick.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTools, type InProcessServe, python, serveInProcess, tempDir } from './harness.js';

const enabled = haveTools('python3');
const scenarioDir = tempDir('mailsim-throttle-');
let defaults: InProcessServe;
let quick: InProcessServe;

beforeAll(async () => {
  if (!enabled) return;
  defaults = await serveInProcess({ users: ['alice:secret'] });
  const file = join(scenarioDir.path, 'quick.yaml');
  writeFileSync(
    file,
    'name: quick throttle\nhosts:\n  mail.example.test:\n    domains: [example.test]\n    users: { alice: secret }\n    limits: { smtp-error-delay: 100ms, auth-failure-delay: 200ms }\n',
  );
  quick = await serveInProcess({ scenario: { file, host: 'mail.example.test' } });
});
afterAll(async () => {
  await defaults?.stop();
  await quick?.stop();
  scenarioDir.remove();
});

/** AUTH PLAIN with a wrong password `tries` times (then the right one) over implicit TLS; one line per reply with its delay. */
const smtpGuesser = `
import smtplib, ssl, sys, time, base64
port, tries = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx)
s.ehlo()
def plain(password): return base64.b64encode(("\\0alice\\0" + password).encode()).decode()
for i in range(tries + 1):
    started = time.monotonic()
    try:
        code, text = s.docmd("AUTH", "PLAIN " + plain("secret" if i == tries else "wrong%d" % i))
    except smtplib.SMTPServerDisconnected:
        print("disconnected", i); break
    print(i, code, round(time.monotonic() - started, 3), text.decode().split(" ")[0])
`;

const popGuesser = `
import poplib, sys, time
port, tries = int(sys.argv[1]), int(sys.argv[2])
p = poplib.POP3("127.0.0.1", port)
for i in range(tries):
    p.user("alice")
    started = time.monotonic()
    try:
        p.pass_("wrong%d" % i)
        print(i, "accepted")
    except poplib.error_proto as e:
        print(i, round(time.monotonic() - started, 3), e.args[0].decode())
    except (EOFError, OSError) as e:
        print("disconnected", i); break
try:
    p.user("alice"); print("still open")
except Exception:
    print("closed")
`;

const imapGuesser = `
import imaplib, sys, time
port, tries = int(sys.argv[1]), int(sys.argv[2])
m = imaplib.IMAP4("127.0.0.1", port)
for i in range(tries):
    started = time.monotonic()
    try:
        m.login("alice", "wrong%d" % i)
        print(i, "accepted")
    except imaplib.IMAP4.error as e:
        print(i, round(time.monotonic() - started, 3), str(e))
try:
    m.noop(); print("still open")
except Exception:
    print("closed")
`;

function rows(stdout: string): string[][] {
  return stdout.trim().split('\n').map((line) => line.split(' '));
}

describe.skipIf(!enabled)('password guessing is slowed and cut off (smtplib, poplib, imaplib)', () => {
  it('SMTP AUTH with the defaults: ten 535s at once, the eleventh a second late (Postfix smtpd_soft_error_limit, smtpd_error_sleep_time)', async () => {
    const result = await python(smtpGuesser, [String(defaults.ports.smtps), '11'], 30_000);
    expect(result.stderr).toBe('');
    const replies = rows(result.stdout);
    expect(replies.slice(0, 11).map((r) => r[1])).toEqual(Array(11).fill('535'));
    for (const reply of replies.slice(0, 10)) expect(Number(reply[2])).toBeLessThan(0.5);
    expect(Number(replies[10]![2])).toBeGreaterThanOrEqual(0.9);
  }, 30_000);

  it('SMTP AUTH: from the eleventh failure on each reply waits smtp-error-delay; 421 4.7.0 with the twentieth, the right password is never tried', async () => {
    const result = await python(smtpGuesser, [String(quick.ports.smtps), '25'], 30_000);
    expect(result.stderr).toBe('');
    const replies = rows(result.stdout);
    expect(replies.slice(0, 20).map((r) => r[1])).toEqual(Array(20).fill('535'));
    for (const reply of replies.slice(10, 20)) expect(Number(reply[2])).toBeGreaterThanOrEqual(0.09);
    // smtplib reads the 421 that came with the twentieth 535 as the reply to the next AUTH.
    expect(replies[20]?.slice(1)).toEqual(['421', expect.any(String), '4.7.0']);
    expect(replies[21]).toEqual(['disconnected', '21']);
    expect(result.stdout).not.toMatch(/ 235 /);
  }, 30_000);

  it('POP3: a failed login answered auth-failure-delay late (2 s by default, Dovecot); the third ends the session', async () => {
    const slow = await python(popGuesser, [String(defaults.ports.pop3), '1'], 30_000);
    expect(slow.stderr).toBe('');
    expect(Number(rows(slow.stdout)[0]![1])).toBeGreaterThanOrEqual(1.9);
    const result = await python(popGuesser, [String(quick.ports.pop3), '3'], 30_000);
    expect(result.stderr).toBe('');
    const replies = rows(result.stdout);
    for (const reply of replies.slice(0, 3)) {
      expect(Number(reply[1])).toBeGreaterThanOrEqual(0.19);
      expect(reply.slice(2, 3)).toEqual(['-ERR']);
    }
    expect(replies.at(-1)).toEqual(['closed']);
  }, 30_000);

  it('IMAP: a failed LOGIN answered auth-failure-delay late (2 s by default, Dovecot); BYE after the third', async () => {
    const slow = await python(imapGuesser, [String(defaults.ports.imap), '1'], 30_000);
    expect(slow.stderr).toBe('');
    expect(Number(rows(slow.stdout)[0]![1])).toBeGreaterThanOrEqual(1.9);
    const result = await python(imapGuesser, [String(quick.ports.imap), '3'], 30_000);
    expect(result.stderr).toBe('');
    const replies = rows(result.stdout);
    expect(replies).toHaveLength(4);
    for (const reply of replies.slice(0, 3)) {
      expect(Number(reply[1])).toBeGreaterThanOrEqual(0.19);
      expect(reply.join(' ')).toContain('[AUTHENTICATIONFAILED]');
    }
    expect(replies.at(-1)).toEqual(['closed']);
  }, 30_000);
});
