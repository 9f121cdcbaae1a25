/**
 * Python's standard mail clients against `mailsim serve` (in-process, `--maildir`): smtplib (STARTTLS +
 * AUTH on submission, implicit TLS on smtps, plain MTA on smtp), poplib (STLS, UIDL, RETR, DELE) and
 * imaplib (STARTTLS, SELECT, UID SEARCH/FETCH/STORE, EXPUNGE, CREATE/APPEND/STATUS, non-ASCII mailbox
 * names in modified UTF-7, unquoted names with brackets), and Python's
 * `mailbox.Maildir` reading the folders the MDA wrote (docs/delivery.md W1: tmp → new, `cur/` with `:2,`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTools, type InProcessServe, python, serveInProcess, tempDir } from './harness.js';

const enabled = haveTools('python3');
const maildir = tempDir('mailsim-py-');
let serve: InProcessServe;

beforeAll(async () => {
  if (enabled) serve = await serveInProcess({ users: ['alice:secret', 'bob:secret', 'carol:pw'] }, { maildir: maildir.path });
});
afterAll(async () => {
  await serve?.stop();
  maildir.remove();
});

const send = `
import smtplib, ssl, sys
port_mta, port_sub, port_smtps = map(int, sys.argv[1:4])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def msg(subject): return "From: alice@example.test\\r\\nTo: bob@example.test\\r\\nSubject: %s\\r\\n\\r\\nbody of %s\\r\\n.leading dot line\\r\\n" % (subject, subject)
with smtplib.SMTP("127.0.0.1", port_sub) as s:
    s.ehlo(); assert s.has_extn("starttls"), s.esmtp_features
    code, _ = s.mail("alice@example.test"); print("mail-before-auth", code)
    s.rset()
    s.starttls(context=ctx); s.ehlo(); assert "PLAIN" in s.esmtp_features.get("auth", ""), s.esmtp_features
    s.login("alice", "secret")
    print("sendmail", s.sendmail("alice@example.test", ["bob@example.test"], msg("one")))
with smtplib.SMTP_SSL("127.0.0.1", port_smtps, context=ctx) as s:
    s.login("alice@example.test", "secret")
    print("sendmail", s.sendmail("alice@example.test", ["bob@example.test"], msg("two")))
with smtplib.SMTP("127.0.0.1", port_mta) as s:
    print("sendmail", s.sendmail("someone@remote.test", ["bob@example.test"], msg("three")))
    try:
        s.sendmail("someone@remote.test", ["victim@elsewhere.test"], msg("relay"))
    except smtplib.SMTPRecipientsRefused as e:
        print("relay-refused", e.recipients["victim@elsewhere.test"][0])
`;

describe.skipIf(!enabled)('Python smtplib, poplib, imaplib, mailbox', () => {
  it('smtplib: 530 before AUTH; STARTTLS + AUTH PLAIN on submission; implicit TLS; port 25 refuses relaying (554)', async () => {
    const result = await python(send, [String(serve.ports.smtp), String(serve.ports.submission), String(serve.ports.smtps)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('mail-before-auth 530');
    expect(result.stdout.match(/^sendmail \{\}$/gm)).toHaveLength(3);
    expect(result.stdout).toContain('relay-refused 554');
  });

  it('mailbox.Maildir reads DIR/bob as a Maildir: three messages in new/, each with one Return-Path', async () => {
    const result = await python(
      `
import mailbox, sys, os
box = mailbox.Maildir(sys.argv[1], create=False)
keys = sorted(box.keys())
print(len(keys), sorted(os.listdir(sys.argv[1] + "/new")) == sorted(k for k in keys))
for k in keys:
    m = box[k]
    print(m["Subject"], len(m.get_all("Return-Path")), m.get_subdir(), m.get_payload().splitlines()[1])
print("tmp", len(os.listdir(sys.argv[1] + "/tmp")))
`,
      [`${maildir.path}/bob`],
    );
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('3 True');
    expect(lines.slice(1, 4).sort()).toEqual(['one 1 new .leading dot line', 'three 1 new .leading dot line', 'two 1 new .leading dot line']);
    expect(lines[4]).toBe('tmp 0');
  });

  it('poplib: STLS, USER/PASS, UIDL, RETR, DELE, QUIT; the deletion is real', async () => {
    const result = await python(
      `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", int(sys.argv[1]))
print("capa", sorted(p.capa().keys()))
p.stls(context=ctx)
p.user("carol"); p.pass_("pw")
print("stat", p.stat())
p.quit()
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[2]), context=ctx)
p.user("bob"); p.pass_("secret")
resp, listing, _ = p.uidl()
uids = [line.split()[1].decode() for line in listing]
print("uidl", len(uids), len(set(uids)))
resp, lines, octets = p.retr(1)
print("retr", resp.decode().split()[0], any(l.startswith(b"Subject: ") for l in lines))
print("dele", p.dele(1).decode().split()[0])
p.quit()
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[2]), context=ctx)
p.user("bob"); p.pass_("secret")
resp, listing, _ = p.uidl()
print("after", len(listing), sorted(l.split()[1].decode() for l in listing) == sorted(uids[1:]))
p.quit()
`,
      [String(serve.ports.pop3), String(serve.ports.pop3s)],
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/capa \[.*'STLS'.*'UIDL'.*\]/);
    expect(result.stdout).toContain('stat (0, 0)');
    expect(result.stdout).toContain('uidl 3 3');
    expect(result.stdout).toContain('retr +OK True');
    expect(result.stdout).toContain('dele +OK');
    expect(result.stdout).toContain('after 2 True');
  });

  it('imaplib: STARTTLS, SELECT, UID SEARCH/FETCH/STORE, EXPUNGE, CREATE/APPEND/STATUS; Maildir gets cur/…:2,S and .Archive', async () => {
    const result = await python(
      `
import imaplib, ssl, sys, mailbox
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
print("caps", "STARTTLS" in m.capabilities, "LOGINDISABLED" in m.capabilities)
m.starttls(ssl_context=ctx)
m.login("bob", "secret")
typ, data = m.select("INBOX"); print("select", typ, data[0].decode())
typ, data = m.uid("SEARCH", None, "ALL"); uids = data[0].split(); print("search", len(uids))
typ, data = m.uid("FETCH", uids[0], "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"); print("fetch", typ, b"Subject:" in data[0][1])
typ, data = m.uid("STORE", uids[0], "+FLAGS", "(\\\\Seen)"); print("store", typ, b"\\\\Seen" in data[0])
typ, data = m.uid("STORE", uids[1], "+FLAGS", "(\\\\Deleted)"); print("delete", typ)
typ, data = m.expunge(); print("expunge", typ, len([d for d in data if d]))
typ, data = m.uid("SEARCH", None, "ALL"); print("left", len(data[0].split()))
print("create", m.create("Archive")[0])
msg = b"From: bob@example.test\\r\\nSubject: kept\\r\\n\\r\\nappended\\r\\n"
print("append", m.append("Archive", "(\\\\Seen)", None, msg)[0])
typ, data = m.status("Archive", "(MESSAGES UIDNEXT UIDVALIDITY)"); print("status", typ, data[0].decode())
m.logout()
box = mailbox.Maildir(sys.argv[2], create=False)
print("folders", box.list_folders())
print("seen", sorted(box[k].get_flags() for k in box.keys()), sorted(box[k].get_subdir() for k in box.keys()))
arch = box.get_folder("Archive")
print("archive", [arch[k]["Subject"] + ":" + arch[k].get_flags() for k in arch.keys()])
`,
      [String(serve.ports.imap), `${maildir.path}/bob`],
    );
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toMatch(/^caps True (True|False)$/m); // STARTTLS offered on 143 (RFC 3501 §6.2.1)
    expect(out).toContain('select OK 2');
    expect(out).toContain('search 2');
    expect(out).toContain('fetch OK True');
    expect(out).toContain('store OK True');
    expect(out).toContain('expunge OK 1');
    expect(out).toContain('left 1');
    expect(out).toContain('create OK');
    expect(out).toContain('append OK');
    expect(out).toMatch(/status OK "?Archive"? \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)/);
    expect(out).toContain("folders ['Archive']");
    expect(out).toContain("seen ['S'] ['cur']");
    expect(out).toContain("archive ['kept:S']");
  });
  it('imaplib: a non-ASCII mailbox name travels in modified UTF-7 (RFC 3501 §5.1.3); an invalid one gets NO [CANNOT]', async () => {
    const result = await python(
      `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.starttls(ssl_context=ctx)
m.login("carol", "pw")
print("create", m.create("Entw&APw-rfe")[0])
print("append", m.append("Entw&APw-rfe", None, None, b"Subject: draft\\r\\n\\r\\nbody\\r\\n")[0])
typ, data = m.list('""', "*"); print("list", typ, sorted(d.decode() for d in data))
typ, data = m.select("Entw&APw-rfe"); print("select", typ, data[0].decode())
typ, data = m.status("Entw&APw-rfe", "(MESSAGES)"); print("status", typ, data[0].decode())
typ, data = m.create("Entw&APw"); print("invalid", typ, data[0].decode())
m.logout()
`,
      [String(serve.ports.imap)],
    );
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toContain('create OK');
    expect(out).toContain('append OK');
    expect(out).toContain(`list OK ['() "/" "Entw&APw-rfe"', '() "/" "INBOX"']`);
    expect(out).toContain('select OK 1');
    expect(out).toMatch(/status OK "Entw&APw-rfe" \(MESSAGES 1\)/);
    expect(out).toContain('invalid NO [CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)');
  });

  it('imaplib: sends [Gmail]/Sent unquoted, an astring (RFC 9051 §9), and gets OK for CREATE, SELECT, STATUS and LIST', async () => {
    const result = await python(
      `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.starttls(ssl_context=ctx)
m.login("carol", "pw")
print("create", m.create("[Gmail]/Sent")[0])
typ, data = m.select("[Gmail]/Sent"); print("select", typ, data[0].decode())
typ, data = m.status("[Gmail]/Sent", "(MESSAGES)"); print("status", typ, data[0].decode())
typ, data = m.list('""', "[Gmail]/%"); print("list", typ, [d.decode() for d in data])
m.logout()
`,
      [String(serve.ports.imap)],
    );
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toContain('create OK');
    expect(out).toContain('select OK 0');
    expect(out).toMatch(/status OK "\[Gmail\]\/Sent" \(MESSAGES 0\)/);
    expect(out).toContain(`list OK ['() "/" "[Gmail]/Sent"']`);
  });
});
