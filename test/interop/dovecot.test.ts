/**
 * Dovecot reads the Maildir tree `mailsim serve --maildir` wrote (README: "mutt, Dovecot and Python's
 * `mailbox` read them"). Mail arrives over SMTP, a reader sets flags, creates a folder with a
 * non-ASCII name and appends to it over mailsim's IMAP; after a clean stop Dovecot's own IMAP server
 * (`/usr/lib/dovecot/imap` in pre-authenticated mode on stdin/stdout, indexes in memory, read-only
 * EXAMINE) opens the same tree and must see the same folders (the non-ASCII one under its modified
 * UTF-7 name, RFC 3501 §5.1.3), the same messages, the same flags (`cur/NAME:2,FLAGS`, docs/delivery.md W1)
 * and the same RFC822.SIZE (Dovecot believes the `S=`/`W=` sizes in the file names).
 */
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTool, haveTools, python, run, serveInProcess, tempDir } from './harness.js';

const dovecotImap = '/usr/lib/dovecot/imap';

/** Dovecot's imap binary is not on PATH: the same rule as haveTools (CI fails, elsewhere skips). */
function haveDovecot(): boolean {
  if (existsSync(dovecotImap)) return true;
  const message = `interop: missing ${dovecotImap} (Debian's dovecot-imapd; install with scripts/install-system-deps.sh)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message}: skipping`);
  return false;
}

const enabled = haveTools('python3') && haveDovecot();
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * Runs Dovecot's IMAP server on `userDir` with the commands as its input. Dovecot refuses to run mail
 * access as root, so as root it runs as nobody (the tree is opened to everyone first).
 */
async function dovecotSession(userDir: string, configDir: string, commands: string[]): Promise<string> {
  const config = join(configDir, 'dovecot.conf');
  writeFileSync(config, `mail_location = maildir:${userDir}:INDEX=MEMORY\nlog_path = /dev/stderr\n`);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    for (const path of [configDir, userDir]) chmodTree(path);
    chmodSync(dirname(userDir), 0o711); // mkdtemp's 0700 would keep nobody out
  }
  const env = ['env', `USER=${asRoot ? 'nobody' : (process.env.USER ?? 'mailsim')}`, `HOME=${configDir}`, dovecotImap, '-c', config];
  const [file, args] = asRoot ? [findTool('runuser') ?? 'runuser', ['-u', 'nobody', '--', ...env]] : [env[0]!, env.slice(1)];
  const input = `${commands.map((command, i) => `t${i} ${command}\r\n`).join('')}z LOGOUT\r\n`;
  const result = await run(file, args, { input, timeoutMs: 20_000 });
  expect(result.stdout, result.stderr).toMatch(/^\* PREAUTH /);
  expect(result.stdout, result.stderr).toMatch(/\r\nz OK Logout/);
  expect(result.stdout, result.stderr).not.toMatch(/SERVERBUG/);
  return result.stdout;
}

/** \Recent belongs to one server's sessions (RFC 3501 §2.3.2): to Dovecot every message is new. */
function withoutRecent(flags: string): string {
  return flags
    .split(' ')
    .filter((flag) => flag !== '\\Recent')
    .join(' ');
}

function chmodTree(path: string): void {
  chmodSync(path, 0o777);
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) chmodTree(child);
    else chmodSync(child, 0o666);
  }
}

describe.skipIf(!enabled)('Dovecot reads the Maildir that mailsim serve wrote', () => {
  it('same folders (non-ASCII in modified UTF-7), messages, flags and sizes as mailsim’s IMAP showed', async () => {
    const maildir = tempDir('mailsim-dovecot-');
    const home = tempDir('mailsim-dovecot-home-');
    cleanups.push(() => maildir.remove(), () => home.remove());
    const serve = await serveInProcess({ users: ['bob:secret'] }, { maildir: maildir.path });
    cleanups.push(() => serve.stop());

    const mailsimSide = await python(
      `
import imaplib, smtplib, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    for subject in ("first", "second"):
        s.sendmail("someone@remote.test", ["bob@example.test"], "From: someone@remote.test\\r\\nSubject: %s\\r\\n\\r\\nbody of %s\\r\\n" % (subject, subject))
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[2]))
m.starttls(ssl_context=ctx)
m.login("bob", "secret")
for _ in range(100):
    typ, data = m.select("INBOX")
    if data[0] == b"2": break
    time.sleep(0.05)
print("exists", data[0].decode())
m.store("1", "+FLAGS", "(\\\\Flagged)")
m.store("2", "+FLAGS", "(\\\\Seen)")
typ, data = m.fetch("1:*", "(RFC822.SIZE)"); print("sizes", " ".join(d.decode() for d in data))
print("create", m.create("Entw&APw-rfe")[0])
print("append", m.append("Entw&APw-rfe", "(\\\\Seen \\\\Answered)", None, b"Subject: draft\\r\\n\\r\\nnot finished\\r\\n")[0])
m.logout()
`,
      [String(serve.ports.smtp), String(serve.ports.imap)],
    );
    expect(mailsimSide.stderr).toBe('');
    expect(mailsimSide.stdout).toContain('exists 2');
    expect(mailsimSide.stdout).toContain('create OK');
    expect(mailsimSide.stdout).toContain('append OK');
    const sizes = /^sizes (.*)$/m.exec(mailsimSide.stdout)?.[1];
    expect(sizes).toMatch(/^1 \(RFC822\.SIZE \d+\) 2 \(RFC822\.SIZE \d+\)$/);
    await serve.stop(); // everything on disk, nothing writing any more

    const out = await dovecotSession(join(maildir.path, 'bob'), home.path, [
      'LIST "" *',
      'EXAMINE INBOX',
      'FETCH 1:* (FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])',
      'STATUS "Entw&APw-rfe" (MESSAGES)',
      'EXAMINE "Entw&APw-rfe"',
      'FETCH 1 (FLAGS BODY.PEEK[TEXT])',
    ]);
    const lines = out.split('\r\n');
    const listed = lines.filter((l) => l.startsWith('* LIST')).map((l) => l.replace(/^\* LIST \([^)]*\) "\." /, '').replace(/"/g, ''));
    expect(listed.sort()).toEqual(['Entw&APw-rfe', 'INBOX']);
    expect(out).toContain('* 2 EXISTS');
    const fetched = [...out.matchAll(/\* (\d) FETCH \(FLAGS \(([^)]*)\) RFC822\.SIZE (\d+) BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: (\w+)/g)].map((m) => ({ seq: m[1], flags: withoutRecent(m[2]!), size: m[3], subject: m[4] }));
    expect(fetched).toEqual([
      { seq: '1', flags: '\\Flagged', size: /^1 \(RFC822\.SIZE (\d+)\)/.exec(sizes!)?.[1], subject: 'first' },
      { seq: '2', flags: '\\Seen', size: /2 \(RFC822\.SIZE (\d+)\)$/.exec(sizes!)?.[1], subject: 'second' },
    ]);
    expect(out).toMatch(/\* STATUS "?Entw&APw-rfe"? \(MESSAGES 1\)/);
    expect(out).toMatch(/\* 1 FETCH \(FLAGS \(\\Answered \\Seen(?: \\Recent)?\) BODY\[TEXT\] \{14\}\r\nnot finished\r\n\)/);
  });
});
