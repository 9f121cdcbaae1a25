/**
 * The IMAP server machine: (state, input) → output tables fed whole and one byte at a time; capability
 * strings by state; FETCH of a multipart message (ENVELOPE and BODYSTRUCTURE exact, RFC 3501 §7.4.2);
 * SEARCH combinations; docs/delivery.md I1, I3, I4, I5, I6, I7; IDLE with updates from a second session;
 * literal limits; autologout.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, ImapServer } from '../../../src/protocols/imap/server.js';
import { bytes, CRLF_MESSAGE, type Session, world } from './harness.js';
import { MULTIPART_MESSAGE } from './messages.js';

const AFTER_GREETING = 'IMAP4rev1 STARTTLS AUTH=PLAIN LITERAL+ UIDPLUS MOVE IDLE NAMESPACE ENABLE UNSELECT';
const AFTER_TLS = 'IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS MOVE IDLE NAMESPACE ENABLE UNSELECT';
const AFTER_LOGIN = 'IMAP4rev1 LITERAL+ UIDPLUS MOVE IDLE NAMESPACE ENABLE UNSELECT';

type Setup = (s: Session) => void;
const notAuth: Setup = (s) => void s.out();
const auth: Setup = (s) => void s.login().out();
const selected: Setup = (s) => void s.login().select().out();

function twoMessages() {
  const w = world();
  const inbox = w.store.folder('INBOX')!;
  inbox.append(CRLF_MESSAGE('one'), { internalDateMs: Date.UTC(2026, 0, 1, 10) });
  inbox.append(CRLF_MESSAGE('two', 'Second body\r\n'), { flags: ['\\Seen'], internalDateMs: Date.UTC(2026, 0, 3, 10) });
  w.store.createFolder('Archive');
  return w;
}

/** (state, input) → exact output (docs/delivery.md I1, I2: BAD never changes state). */
const TABLE: Array<[string, Setup, string, string]> = [
  ['CAPABILITY before TLS', notAuth, 'a CAPABILITY\r\n', `* CAPABILITY ${AFTER_GREETING}\r\na OK CAPABILITY completed\r\n`],
  ['NOOP', notAuth, 'a NOOP\r\n', 'a OK NOOP completed\r\n'],
  ['SELECT before LOGIN', notAuth, 'a SELECT INBOX\r\n', 'a BAD Not authenticated\r\n'],
  ['FETCH before SELECT', auth, 'a FETCH 1 FLAGS\r\n', 'a BAD No mailbox selected\r\n'],
  ['LOGIN twice', auth, 'a LOGIN bob secret\r\n', 'a BAD Already authenticated\r\n'],
  ['STARTTLS after LOGIN', auth, 'a STARTTLS\r\n', 'a BAD Already authenticated\r\n'],
  ['bad password', notAuth, 'a LOGIN bob nope\r\n', 'a NO [AUTHENTICATIONFAILED] Invalid credentials\r\n'],
  ['unknown command', auth, 'a FROB\r\n', 'a BAD Error in command: unknown command\r\n'],
  ['ENABLE reports nothing enabled', auth, 'a ENABLE CONDSTORE\r\n', '* ENABLED\r\na OK ENABLE completed\r\n'],
  ['ENABLE in the selected state', selected, 'a ENABLE CONDSTORE\r\n', 'a BAD ENABLE only in the authenticated state\r\n'],
  ['NAMESPACE', auth, 'a NAMESPACE\r\n', '* NAMESPACE (("" "/")) NIL NIL\r\na OK NAMESPACE completed\r\n'],
  ['LIST delimiter', auth, 'a LIST "" ""\r\n', '* LIST (\\Noselect) "/" ""\r\na OK LIST completed\r\n'],
  ['LIST *', auth, 'a LIST "" *\r\n', '* LIST () "/" "INBOX"\r\n* LIST () "/" "Archive"\r\na OK LIST completed\r\n'],
  ['LIST % with INBOX case-insensitive', auth, 'a LIST "" inb%\r\n', '* LIST () "/" "INBOX"\r\na OK LIST completed\r\n'],
  ['STATUS', auth, 'a STATUS inbox (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n', '* STATUS "INBOX" (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY 1000 UNSEEN 1)\r\na OK STATUS completed\r\n'],
  ['STATUS of a missing mailbox', auth, 'a STATUS Nope (MESSAGES)\r\n', 'a NO [NONEXISTENT] No such mailbox\r\n'],
  ['APPEND with a synchronising literal', auth, 'a APPEND Archive (\\Seen) {4}\r\nabcd\r\n', '+ Ready for literal data\r\na OK [APPENDUID 1001 1] APPEND completed\r\n'],
  ['APPEND to a missing mailbox', auth, 'a APPEND Nope {4+}\r\nabcd\r\n', 'a NO [TRYCREATE] No such mailbox\r\n'],
  [
    'SELECT (I7)',
    auth,
    'a SELECT INBOX\r\n',
    '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1] First unseen\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n* OK [UIDNEXT 3] Predicted next UID\r\n* OK [UIDVALIDITY 1000] UIDs valid\r\na OK [READ-WRITE] SELECT completed\r\n',
  ],
  ['SELECT a missing mailbox', auth, 'a SELECT Nope\r\n', 'a NO [NONEXISTENT] No such mailbox\r\n'],
  ['FETCH out of range', selected, 'a FETCH 3 FLAGS\r\n', 'a BAD Invalid sequence number\r\n'],
  ['FETCH FLAGS with \\Recent', selected, 'a FETCH 1:* (UID FLAGS)\r\n', '* 1 FETCH (UID 1 FLAGS (\\Recent))\r\n* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\na OK FETCH completed\r\n'],
  ['UID FETCH adds UID', selected, 'a UID FETCH 2:* RFC822.SIZE\r\n', '* 2 FETCH (UID 2 RFC822.SIZE 153)\r\na OK UID FETCH completed\r\n'],
  ['FETCH INTERNALDATE', selected, 'a FETCH 2 INTERNALDATE\r\n', '* 2 FETCH (INTERNALDATE " 3-Jan-2026 10:00:00 +0000")\r\na OK FETCH completed\r\n'],
  [
    'FETCH BODY[TEXT] sets \\Seen and reports FLAGS',
    selected,
    'a FETCH 1 BODY[TEXT]\r\n',
    '* 1 FETCH (BODY[TEXT] {7}\r\nHello\r\n FLAGS (\\Seen \\Recent))\r\na OK FETCH completed\r\n',
  ],
  ['FETCH BODY.PEEK partial', selected, 'a FETCH 1 BODY.PEEK[]<6.5>\r\n', '* 1 FETCH (BODY[]<6> {5}\r\nAlice)\r\na OK FETCH completed\r\n'],
  ['STORE', selected, 'a STORE 1 +FLAGS (\\Flagged)\r\n', '* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\na OK STORE completed\r\n'],
  ['UID STORE .SILENT', selected, 'a UID STORE 1 FLAGS.SILENT (\\Deleted)\r\n', 'a OK UID STORE completed\r\n'],
  ['STORE ignores \\Recent', selected, 'a STORE 2 -FLAGS (\\Seen \\Recent)\r\n', '* 2 FETCH (FLAGS (\\Recent))\r\na OK STORE completed\r\n'],
  ['COPY → COPYUID', selected, 'a COPY 1:2 Archive\r\n', 'a OK [COPYUID 1001 1:2 1:2] COPY completed\r\n'],
  ['COPY to a missing mailbox', selected, 'a COPY 1 Nope\r\n', 'a NO [TRYCREATE] No such mailbox\r\n'],
  ['MOVE', selected, 'a MOVE 1 Archive\r\n', '* OK [COPYUID 1001 1 1] Moved\r\n* 1 EXPUNGE\r\na OK MOVE completed\r\n'],
  ['SEARCH', selected, 'a SEARCH UNSEEN\r\n', '* SEARCH 1\r\na OK SEARCH completed\r\n'],
  ['SEARCH bad charset', selected, 'a SEARCH CHARSET KOI8-R ALL\r\n', 'a NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n'],
  ['CLOSE', selected, 'a CLOSE\r\n', 'a OK CLOSE completed\r\n'],
  ['UNSELECT', selected, 'a UNSELECT\r\n', 'a OK UNSELECT completed\r\n'],
  ['LOGOUT', selected, 'a LOGOUT\r\n', '* BYE IMAP4rev1 server logging out\r\na OK LOGOUT completed\r\n'],
  ['AUTHENTICATE PLAIN', notAuth, `a AUTHENTICATE PLAIN\r\n${btoa('\0bob\0secret')}\r\n`, `+ \r\na OK [CAPABILITY ${AFTER_LOGIN}] AUTHENTICATE completed\r\n`],
  ['AUTHENTICATE cancelled', notAuth, 'a AUTHENTICATE PLAIN\r\n*\r\n', '+ \r\na BAD AUTHENTICATE cancelled\r\n'],
  ['AUTHENTICATE other mechanism', notAuth, 'a AUTHENTICATE CRAM-MD5\r\n', 'a NO Unsupported authentication mechanism\r\n'],
  ['IDLE and DONE', selected, 'a IDLE\r\nDONE\r\n', '+ idling\r\na OK IDLE terminated\r\n'],
];

describe('server: (state, input) → output', () => {
  for (const [name, setup, input, expected] of TABLE) {
    it(name, () => {
      const whole = twoMessages().open();
      setup(whole);
      const stateBefore = whole.server.state;
      expect(whole.send(input)).toBe(expected);
      if (expected.includes(' BAD ')) expect(whole.server.state).toBe(stateBefore); // I1

      const byteWise = twoMessages().open();
      setup(byteWise);
      expect(byteWise.send(input, true)).toBe(expected);
    });
  }
});

describe('server: capabilities, STARTTLS and LOGINDISABLED', () => {
  it('advertises exactly what is implemented, by state (RFC 3501 §7.2.1)', () => {
    const s = world().open();
    expect(s.out()).toBe(`* OK [CAPABILITY ${AFTER_GREETING}] imap.example.org IMAP4rev1 service ready\r\n`);
    expect(s.send('t STARTTLS\r\nx NOOP\r\n')).toBe('t OK Begin TLS negotiation now\r\n');
    expect(s.server.takeEvents()).toContainEqual({ type: 'starttls' });
    s.server.tlsEstablished(0);
    expect(s.send('c CAPABILITY\r\n')).toBe(`* CAPABILITY ${AFTER_TLS}\r\nc OK CAPABILITY completed\r\n`);
    expect(s.send('l LOGIN bob secret\r\n')).toBe(`l OK [CAPABILITY ${AFTER_LOGIN}] LOGIN completed\r\n`);
    expect(s.send('c CAPABILITY\r\n')).toBe(`* CAPABILITY ${AFTER_LOGIN}\r\nc OK CAPABILITY completed\r\n`);
  });

  it('plaintext pipelined after STARTTLS is discarded (RFC 3501 §6.2.1)', () => {
    const s = world().open();
    s.out();
    s.send('t STARTTLS\r\nl LOGIN bob secret\r\n');
    s.server.tlsEstablished(0);
    expect(s.server.state).toBe('not-authenticated');
    expect(s.out()).toBe('');
  });

  it('LOGINDISABLED before TLS when the owner asks (RFC 3501 §6.2.3)', () => {
    const s = world().open({ loginDisabledWithoutTls: true });
    expect(s.out()).toContain('[CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED LITERAL+ UIDPLUS MOVE IDLE NAMESPACE ENABLE UNSELECT]');
    expect(s.send('a LOGIN bob secret\r\n')).toBe('a NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS\r\n');
    s.send('t STARTTLS\r\n');
    s.server.tlsEstablished(0);
    expect(s.send('a LOGIN bob secret\r\n')).toContain('a OK');
  });

  it('implicit TLS (port 993) offers no STARTTLS', () => {
    expect(world().open({ tlsActive: true }).out()).toContain(`[CAPABILITY ${AFTER_TLS}]`);
  });
});

describe('server: FETCH of a multipart message (RFC 3501 §7.4.2)', () => {
  const s = (() => {
    const w = world();
    w.store.folder('INBOX')!.append(MULTIPART_MESSAGE);
    return w.open().login().select();
  })();
  s.out();

  it('ENVELOPE: raw unfolded fields, Sender/Reply-To default to From, groups', () => {
    expect(s.send('a FETCH 1 ENVELOPE\r\n')).toBe(
      '* 1 FETCH (ENVELOPE ("Thu, 01 Jan 2026 10:00:00 +0000" "Quarterly report" (("Alice Example" NIL "alice" "example.org")) (("Alice Example" NIL "alice" "example.org")) (("Alice Example" NIL "alice" "example.org")) (("Bob" NIL "bob" "example.org")(NIL NIL "team" NIL)(NIL NIL "carol" "example.org")(NIL NIL "dave" "example.org")(NIL NIL NIL NIL)) NIL NIL NIL "<m1@example.org>"))\r\na OK FETCH completed\r\n',
    );
  });

  it('BODYSTRUCTURE: nested multipart, message/rfc822 with its envelope, body and lines, extension data', () => {
    const text1 = '("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 6 1 NIL NIL NIL NIL)';
    const alternative =
      '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "us-ascii") NIL NIL "QUOTED-PRINTABLE" 11 1 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)';
    const carol = '((NIL NIL "carol" "example.org"))';
    const rfc822 = `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 51 (NIL "Fwd" ${carol} ${carol} ${carol} NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL) 4 NIL ("ATTACHMENT" ("FILENAME" "fwd.eml")) NIL NIL)`;
    expect(s.send('a FETCH 1 BODYSTRUCTURE\r\n')).toBe(
      `* 1 FETCH (BODYSTRUCTURE (${text1}${alternative}${rfc822} "MIXED" ("BOUNDARY" "outer") NIL NIL NIL))\r\na OK FETCH completed\r\n`,
    );
    // BODY is the same without extension data.
    expect(s.send('a FETCH 1 BODY\r\n')).toContain('("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 6 1)(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1)');
  });

  it.each([
    ['1', 'Hi Bob'],
    ['2.2', '<p>html</p>'],
    ['2.2.MIME', 'Content-Type: text/html; charset="us-ascii"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'],
    ['3', 'From: carol@example.org\r\nSubject: Fwd\r\n\r\nInner body'],
    ['3.HEADER', 'From: carol@example.org\r\nSubject: Fwd\r\n\r\n'],
    ['3.TEXT', 'Inner body'],
    ['3.1', 'Inner body'],
    ['HEADER.FIELDS (subject MESSAGE-ID)', 'Subject: Quarterly\r\n report\r\nMessage-ID: <m1@example.org>\r\n\r\n'],
    ['HEADER.FIELDS.NOT (Subject Date From To Message-ID)', 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n'],
    ['9', ''],
  ])('BODY.PEEK[%s]', (section, expected) => {
    const out = s.send(`a FETCH 1 BODY.PEEK[${section}]\r\n`);
    expect(out).toBe(`* 1 FETCH (BODY[${section}] {${bytes(expected).length}}\r\n${expected})\r\na OK FETCH completed\r\n`);
  });
});

describe('server: SEARCH', () => {
  const s = (() => {
    const w = twoMessages();
    w.store.folder('INBOX')!.append(MULTIPART_MESSAGE, { flags: ['\\Flagged', '$Work'], internalDateMs: Date.UTC(2026, 0, 5) });
    return w.open().login().select();
  })();
  s.out();
  it.each([
    ['ALL', '1 2 3'],
    ['SEEN', '2'],
    ['UNSEEN FLAGGED', '3'],
    ['OR SEEN FLAGGED', '2 3'],
    ['NOT (OR SEEN FLAGGED)', '1'],
    ['NOT (SEEN OR FLAGGED DELETED)', '1 2 3'],
    ['FROM alice SUBJECT "quarterly REPORT"', '3'],
    ['TO carol', '3'],
    ['HEADER Message-ID two', '2'],
    ['HEADER MIME-Version ""', '3'],
    ['BODY "second"', '2'],
    ['TEXT "inner body"', '3'],
    ['SINCE 3-Jan-2026', '2 3'],
    ['BEFORE 3-Jan-2026', '1'],
    ['ON 3-Jan-2026', '2'],
    ['SENTON 1-Jan-2026', '1 2 3'],
    ['SENTBEFORE 1-Jan-2026', ''],
    ['LARGER 500', '3'],
    ['SMALLER 200', '1 2'],
    ['UID 2:*', '2 3'],
    ['2,3 NOT 3', '2'],
    ['KEYWORD $work', '3'],
    ['NEW', '1 3'],
    ['OLD', ''],
    ['CHARSET UTF-8 RECENT UNANSWERED UNDRAFT', '1 2 3'],
  ])('SEARCH %s → %s', (criteria, expected) => {
    expect(s.send(`a SEARCH ${criteria}\r\n`)).toBe(`* SEARCH${expected ? ` ${expected}` : ''}\r\na OK SEARCH completed\r\n`);
  });
  it('SENTBEFORE/SENTON/SENTSINCE take the Date header\'s own date in its own zone, not its UTC day (RFC 9051 §6.4.4)', () => {
    const w = world();
    const dated = (date: string) => bytes(`From: a@example.org\r\nSubject: x\r\nDate: ${date}\r\n\r\nx\r\n`);
    w.store.folder('INBOX')!.append(dated('Thu, 1 Jan 2026 23:30:00 -0500')); // 2 Jan 04:30 UTC
    w.store.folder('INBOX')!.append(dated('Fri, 2 Jan 2026 00:30:00 +0100')); // 1 Jan 23:30 UTC
    const t = w.open().login().select();
    t.out();
    const search = (criteria: string) => t.send(`a SEARCH ${criteria}\r\n`).split('\r\n')[0];
    expect(search('SENTON 1-Jan-2026')).toBe('* SEARCH 1');
    expect(search('SENTON 2-Jan-2026')).toBe('* SEARCH 2');
    expect(search('SENTBEFORE 2-Jan-2026')).toBe('* SEARCH 1');
    expect(search('SENTSINCE 2-Jan-2026')).toBe('* SEARCH 2');
  });
  it('UID SEARCH answers UIDs', () => {
    expect(s.send('a UID SEARCH 3\r\n')).toBe('* SEARCH 3\r\na OK UID SEARCH completed\r\n');
  });
});

describe('server: mailbox invariants (docs/delivery.md I3–I7)', () => {
  it('I3: UIDs ascend and are never reused; UIDNEXT grows only when messages are added', () => {
    const w = twoMessages();
    const s = w.open().login().select();
    s.out();
    s.send('a STORE 2 +FLAGS (\\Deleted)\r\nb EXPUNGE\r\n');
    expect(s.send('c STATUS INBOX (UIDNEXT)\r\n')).toContain('UIDNEXT 3');
    s.send('d APPEND INBOX {1+}\r\nx\r\n');
    expect(s.send('e UID FETCH 1:* UID\r\n')).toBe('* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\ne OK UID FETCH completed\r\n');
  });

  it('I4: each EXPUNGE response renumbers the ones after it', () => {
    const w = world();
    for (const n of [1, 2, 3, 4]) w.store.folder('INBOX')!.append(CRLF_MESSAGE(`m${n}`));
    const s = w.open().login().select();
    s.out();
    s.send('a STORE 2,4 +FLAGS.SILENT (\\Deleted)\r\n');
    expect(s.send('b EXPUNGE\r\n')).toBe('* 2 EXPUNGE\r\n* 3 EXPUNGE\r\nb OK EXPUNGE completed\r\n');
    expect(s.send('c FETCH 1:* UID\r\n')).toBe('* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\nc OK FETCH completed\r\n');
  });

  it('I4: no EXPUNGE responses during FETCH, STORE or SEARCH; they come at the next NOOP', () => {
    const w = twoMessages();
    const a = w.open().login().select();
    const b = w.open().login().select();
    a.out();
    b.out();
    b.send('x STORE 1 +FLAGS.SILENT (\\Deleted)\r\ny EXPUNGE\r\n');
    const duringFetch = a.send('f FETCH 2 UID\r\n');
    expect(duringFetch).toBe('* 2 FETCH (UID 2)\r\nf OK FETCH completed\r\n');
    expect(a.send('g FETCH 1 UID\r\n')).toBe('* 1 FETCH (UID 1)\r\ng OK [EXPUNGEISSUED] Some messages were already expunged\r\n');
    expect(a.send('s SEARCH ALL\r\n')).toBe('* SEARCH 1 2\r\ns OK SEARCH completed\r\n'); // RFC 2180 §4.1.1: still there for `a`
    expect(a.send('n NOOP\r\n')).toBe('* 1 EXPUNGE\r\nn OK NOOP completed\r\n');
    expect(a.send('f FETCH 1 UID\r\n')).toBe('* 1 FETCH (UID 2)\r\nf OK FETCH completed\r\n');
  });

  it('I4: a message added and expunged elsewhere since the last update is never shown, even when a STORE holds EXPUNGE back', () => {
    // Found by the mailbox model property (seeds 889643908, -1600412869): `a` was told EXISTS for UID 2
    // during its STORE, after `b` had expunged it — and its next FETCH of it threw (no store copy, no ghost).
    const w = world();
    w.store.folder('INBOX')!.append(CRLF_MESSAGE('one'));
    const a = w.open().login().select();
    const b = w.open().login().select();
    a.out();
    b.out();
    b.send('x APPEND INBOX (\\Deleted) {1+}\r\nx\r\n');
    b.send('y EXPUNGE\r\n');
    expect(a.send('s STORE 1 +FLAGS ()\r\n')).toBe('* 1 FETCH (FLAGS (\\Recent))\r\ns OK STORE completed\r\n');
    expect(a.send('f FETCH 1:* UID\r\n')).toBe('* 1 FETCH (UID 1)\r\nf OK FETCH completed\r\n');
    expect(a.send('n NOOP\r\n')).toBe('n OK NOOP completed\r\n');
  });

  it('RFC 2180 §4.1.1: a message expunged by another session stays readable, and STOREs change only this view, until EXPUNGE is sent', () => {
    const w = twoMessages();
    const a = w.open().login().select();
    const b = w.open().login().select();
    a.out();
    b.out();
    b.send('x STORE 1 +FLAGS.SILENT (\\Deleted)\r\ny EXPUNGE\r\n');
    const message = new TextDecoder().decode(CRLF_MESSAGE('one'));
    expect(a.send('f FETCH 1 (UID BODY[])\r\n')).toBe(
      `* 1 FETCH (UID 1 BODY[] {${message.length}}\r\n${message} FLAGS (\\Deleted \\Seen \\Recent))\r\nf OK [EXPUNGEISSUED] Some messages were already expunged\r\n`,
    );
    expect(a.send('s STORE 1 +FLAGS (\\Flagged)\r\n')).toBe('* 1 FETCH (FLAGS (\\Deleted \\Flagged \\Seen \\Recent))\r\ns OK STORE completed\r\n');
    expect(a.send('u UID STORE 1:2 +FLAGS.SILENT (\\Answered)\r\n')).toBe('u OK UID STORE completed\r\n');
    expect(w.store.folder('INBOX')!.messages().map((m) => [m.uid, m.flags])).toEqual([[2, ['\\Answered', '\\Seen']]]);
    // Not copied back to life; COPY may carry the EXPUNGE (RFC 3501 §7.4.1).
    expect(a.send('c COPY 1 Archive\r\n')).toBe('* 1 EXPUNGE\r\nc NO [EXPUNGEISSUED] Some messages were expunged\r\n');
    expect(a.send('g FETCH 1:* (UID FLAGS)\r\n')).toBe('* 1 FETCH (UID 2 FLAGS (\\Answered \\Seen \\Recent))\r\ng OK FETCH completed\r\n');
  });

  it('RFC 9051 §7.3.5: a new keyword, made by this session or another, is announced with FLAGS and PERMANENTFLAGS to every selected session', () => {
    const w = twoMessages();
    const a = w.open().login().select();
    const b = w.open().login().select();
    const e = w.open().login();
    a.out();
    b.out();
    e.send('x EXAMINE INBOX\r\n');
    const withWork = ['* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)', '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted'];
    expect(a.send('s STORE 2 +FLAGS ($Work)\r\n')).toBe(['* 2 FETCH (FLAGS ($Work \\Seen \\Recent))', ...withWork, 's OK STORE completed', ''].join('\r\n'));
    expect(b.send('n NOOP\r\n')).toBe([...withWork, '* 2 FETCH (FLAGS ($Work \\Seen))', 'n OK NOOP completed', ''].join('\r\n'));
    expect(e.send('n NOOP\r\n')).toContain('* OK [PERMANENTFLAGS ()] Flags permitted\r\n'); // read-only: none permanent
    // Known keywords (in any case) are not announced again; one that comes with new mail is.
    expect(b.send('t STORE 1 +FLAGS ($work)\r\n')).toBe('* 1 FETCH (FLAGS ($work))\r\nt OK STORE completed\r\n');
    a.send('p APPEND INBOX (Later) {1+}\r\nx\r\n');
    expect(b.send('n NOOP\r\n')).toContain('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later)\r\n');
  });

  it('I5: CLOSE expunges \\Deleted silently; EXAMINE is read-only and CLOSE then removes nothing', () => {
    const w = twoMessages();
    const s = w.open().login();
    s.send('a EXAMINE INBOX\r\n');
    expect(s.send('b STORE 1 +FLAGS (\\Deleted)\r\n')).toBe('b NO [READ-ONLY] Mailbox is read-only\r\n');
    expect(s.send('c FETCH 1 BODY[]\r\n')).not.toContain('FLAGS');
    s.send('d CLOSE\r\n');
    expect(w.store.folder('INBOX')!.messages()[0]!.flags).toEqual([]);
    s.select();
    s.send('e STORE 1 +FLAGS (\\Deleted)\r\n');
    expect(s.send('f CLOSE\r\n')).toBe('f OK CLOSE completed\r\n');
    expect(w.store.folder('INBOX')!.messages().map((m) => m.uid)).toEqual([2]);
  });

  it('I6: \\Recent goes to the first session that selects after arrival, and to no other', () => {
    const w = twoMessages();
    const first = w.open().login();
    expect(first.send('a EXAMINE INBOX\r\n')).toContain('* 2 RECENT'); // EXAMINE counts but does not claim
    first.send('b SELECT INBOX\r\n');
    const second = w.open().login();
    expect(second.send('a SELECT INBOX\r\n')).toContain('* 0 RECENT');
    w.store.folder('INBOX')!.append(CRLF_MESSAGE('three'));
    expect(first.send('c NOOP\r\n')).toBe('* 3 EXISTS\r\n* 3 RECENT\r\nc OK NOOP completed\r\n');
    expect(second.send('c NOOP\r\n')).toBe('* 3 EXISTS\r\n* 0 RECENT\r\nc OK NOOP completed\r\n');
    expect(second.send('d SEARCH RECENT\r\n')).toBe('* SEARCH\r\nd OK SEARCH completed\r\n');
  });

  it('I7: EXAMINE answers READ-ONLY with empty PERMANENTFLAGS and no UNSEEN when all are seen', () => {
    const w = world();
    w.store.folder('INBOX')!.append(CRLF_MESSAGE('x'), { flags: ['\\Seen', 'Junk'] });
    expect(w.open().login().send('a EXAMINE INBOX\r\n')).toBe(
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft Junk)\r\n* 1 EXISTS\r\n* 1 RECENT\r\n* OK [PERMANENTFLAGS ()] Flags permitted\r\n* OK [UIDNEXT 2] Predicted next UID\r\n* OK [UIDVALIDITY 1000] UIDs valid\r\na OK [READ-ONLY] EXAMINE completed\r\n',
    );
  });

  it('flag changes by one session reach the other as FETCH FLAGS', () => {
    const w = twoMessages();
    const a = w.open().login().select();
    const b = w.open().login().select();
    a.out();
    b.out();
    expect(b.send('x STORE 1 +FLAGS (\\Answered)\r\n')).toBe('* 1 FETCH (FLAGS (\\Answered))\r\nx OK STORE completed\r\n');
    expect(a.send('n NOOP\r\n')).toBe('* 1 FETCH (FLAGS (\\Answered \\Recent))\r\nn OK NOOP completed\r\n');
  });
});

describe('server: mailbox names', () => {
  it('takes an unquoted mailbox name with "[" and "]" as an astring (RFC 9051 §9 ASTRING-CHAR; imaplib sends [Gmail]/Sent so)', () => {
    const s = world().open().login();
    s.out();
    expect(s.send('a CREATE [Gmail]/Sent\r\n')).toBe('a OK CREATE completed\r\n');
    expect(s.send('b LIST "" [Gmail]/%\r\n')).toBe('* LIST () "/" "[Gmail]/Sent"\r\nb OK LIST completed\r\n');
    expect(s.send('c STATUS [Gmail]/Sent (MESSAGES)\r\n')).toBe('* STATUS "[Gmail]/Sent" (MESSAGES 0)\r\nc OK STATUS completed\r\n');
    expect(s.send('d CREATE Foo[bar]\r\n')).toBe('d OK CREATE completed\r\n');
    expect(s.send('e CREATE odd]\r\n')).toBe('e OK CREATE completed\r\n');
    expect(s.send('f SELECT [Gmail]/Sent\r\n')).toContain('f OK [READ-WRITE] SELECT completed\r\n');
    expect(s.send('g LIST "" *\r\n')).toBe(
      ['* LIST () "/" "INBOX"', '* LIST () "/" "[Gmail]"', '* LIST () "/" "[Gmail]/Sent"', '* LIST () "/" "Foo[bar]"', '* LIST () "/" "odd]"', 'g OK LIST completed', ''].join('\r\n'),
    );
  });
});

describe('server: LSUB (RFC 3501 §6.3.9)', () => {
  it('with "%" answers for the unsubscribed parent of a subscribed mailbox, flagged \\Noselect', () => {
    const s = world().open().login();
    s.out();
    for (const name of ['foo/bar', 'foo/baz', 'top', 'a/b/c', 'a/b']) s.send(`c CREATE ${name}\r\nd SUBSCRIBE ${name}\r\n`);
    s.send('u UNSUBSCRIBE a/b\r\nv SUBSCRIBE a/b\r\n');
    expect(s.send('a LSUB "" %\r\n')).toBe(['* LSUB (\\Noselect) "/" "foo"', '* LSUB () "/" "top"', '* LSUB (\\Noselect) "/" "a"', 'a OK LSUB completed', ''].join('\r\n'));
    expect(s.send('b LSUB a/ %\r\n')).toBe(['* LSUB () "/" "a/b"', 'b OK LSUB completed', ''].join('\r\n')); // subscribed itself: no \Noselect
    expect(s.send('c LSUB "" *\r\n')).toBe(['* LSUB () "/" "foo/bar"', '* LSUB () "/" "foo/baz"', '* LSUB () "/" "top"', '* LSUB () "/" "a/b/c"', '* LSUB () "/" "a/b"', 'c OK LSUB completed', ''].join('\r\n'));
  });
});

describe('server: IDLE (RFC 2177)', () => {
  it('sends EXISTS, EXPUNGE and FETCH FLAGS from another session while idling, and tells the owner', () => {
    const w = twoMessages();
    let wakeups = 0;
    const idler = w.open({ onAsyncOutput: () => wakeups++ }).login().select();
    const other = w.open().login().select();
    idler.out();
    other.out();
    expect(idler.send('i IDLE\r\n')).toBe('+ idling\r\n');
    other.send('a APPEND INBOX {1+}\r\nz\r\n');
    // The idler selected first and hears of the arrival first, so it holds \Recent (I6).
    expect(idler.out()).toBe('* 3 EXISTS\r\n* 3 RECENT\r\n');
    other.send('b STORE 2 +FLAGS.SILENT (\\Deleted)\r\nc EXPUNGE\r\n');
    expect(idler.out()).toBe('* 2 FETCH (FLAGS (\\Deleted \\Seen \\Recent))\r\n* 2 EXPUNGE\r\n');
    expect(wakeups).toBeGreaterThanOrEqual(3);
    expect(idler.send('DONE\r\n')).toBe('i OK IDLE terminated\r\n');
    expect(idler.send('f FETCH 1:* UID\r\n')).toBe('* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\nf OK FETCH completed\r\n');
  });

  it('anything but DONE ends IDLE with BAD', () => {
    const s = twoMessages().open().login().select();
    s.out();
    expect(s.send('i IDLE\r\nNOOP\r\n')).toBe('+ idling\r\ni BAD Expected DONE\r\n');
    expect(s.server.state).toBe('selected');
  });
});

describe('server: limits and timeouts', () => {
  it('an oversized synchronising literal gets NO [TOOBIG] and no "+"; an oversized LITERAL+ one is skipped', () => {
    const s = world().open({ limits: { literalBytesMax: 10 } }).login();
    expect(s.send('a APPEND INBOX {100}\r\n')).toBe('a NO [TOOBIG] Literal too big\r\n');
    expect(s.send(`b APPEND INBOX {100+}\r\n${'x'.repeat(100)}\r\nc NOOP\r\n`)).toBe('b NO [TOOBIG] Literal too big\r\nc OK NOOP completed\r\n');
  });

  it('a command line over the limit ends the session with BYE', () => {
    const s = world().open({ limits: { commandTextBytesMax: 50 } });
    s.out();
    expect(s.send(`a NOOP ${'x'.repeat(100)}`)).toBe('* BYE [LIMIT] Command line too long\r\n');
    expect(s.server.closed).toBe(true);
  });

  it('autologout after 30 minutes without input (RFC 3501 §5.4); a spurious timeout does nothing', () => {
    const server = new ImapServer({ hostname: 'h', authenticate: () => null, autologoutMs: 1000 }, 0);
    server.takeOutput();
    expect(server.nextTimeoutMs()).toBe(30 * 60_000);
    server.receive(bytes('a NOOP\r\n'), 60_000);
    server.onTimeout(30 * 60_000);
    expect(server.closed).toBe(false);
    server.takeOutput();
    server.onTimeout(31 * 60_000);
    expect(new TextDecoder().decode(server.takeOutput()[0])).toBe('* BYE Autologout; idle for too long\r\n');
    expect(server.closed).toBe(true);
    expect(server.takeEvents()).toContainEqual({ type: 'closed', reason: 'autologout' });
  });

  it('a failed login is answered after auth_failure_delay (Dovecot, 2 s); nothing behind it is read meanwhile; BYE after the third', () => {
    expect(DEFAULT_SERVER_LIMITS.authFailureDelayMs).toBe(2000);
    const s = world().open({ limits: { authFailureDelayMs: DEFAULT_SERVER_LIMITS.authFailureDelayMs } });
    s.out();
    s.nowMs = 1000;
    expect(s.send('a LOGIN bob x\r\nb NOOP\r\n')).toBe('');
    expect(s.server.nextTimeoutMs()).toBe(3000);
    s.server.onTimeout(2999);
    expect(s.out()).toBe('');
    s.server.onTimeout(3000);
    expect(s.out()).toBe('a NO [AUTHENTICATIONFAILED] Invalid credentials\r\nb OK NOOP completed\r\n');
    s.nowMs = 3000;
    expect(s.send('c LOGIN bob y\r\nd LOGIN bob z\r\n')).toBe('');
    s.server.onTimeout(5000);
    expect(s.out()).toBe('c NO [AUTHENTICATIONFAILED] Invalid credentials\r\n');
    s.server.onTimeout(7000);
    expect(s.out()).toBe('d NO [AUTHENTICATIONFAILED] Invalid credentials\r\n* BYE Too many authentication failures\r\n');
    expect(s.server.closed).toBe(true);
  });

  it('three failed logins end the session', () => {
    const s = world().open();
    s.out();
    s.send('a LOGIN bob x\r\nb LOGIN bob y\r\n');
    expect(s.send('c LOGIN bob z\r\n')).toContain('* BYE Too many authentication failures');
    expect(s.server.closed).toBe(true);
  });
});

describe('server: a store that is momentarily busy', () => {
  it('APPEND and EXPUNGE answer NO [INUSE] while an mbox delivery holds the lock, and nothing changes', async () => {
    const { MailboxBusyError } = await import('../../../src/store/mailstore.js');
    const w = twoMessages();
    const inbox = w.store.folder('INBOX')!;
    const s = w.open().login().select();
    s.out();
    s.send('a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n');
    const realExpunge = inbox.expunge.bind(inbox);
    const realAppend = inbox.append.bind(inbox);
    inbox.expunge = () => {
      throw new MailboxBusyError('INBOX');
    };
    inbox.append = () => {
      throw new MailboxBusyError('INBOX');
    };
    expect(s.send('b EXPUNGE\r\n')).toBe('b NO [INUSE] Mailbox is busy; try again\r\n');
    expect(s.send('c APPEND INBOX {1+}\r\nx\r\n')).toBe('c NO [INUSE] Mailbox is busy; try again\r\n');
    inbox.expunge = realExpunge;
    inbox.append = realAppend;
    expect(s.send('d EXPUNGE\r\n')).toBe('* 1 EXPUNGE\r\nd OK EXPUNGE completed\r\n');
  });
});
