/**
 * Finer points of the mail roles (issue 4): DSN parameters travel unchanged (docs/delivery.md D6), a crash in
 * the middle of a Maildir delivery (W1), mbox mailboxes (W2), filters and quotas at the MDA.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/nodes/world.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { parse } from 'yaml';
import { mailbox, recipient, run, submitRaw, twoDomainWorld } from './world-harness.js';

describe('D6: DSN parameters are relayed unchanged', () => {
  it('NOTIFY, ORCPT, RET and ENVID given to the backup MX reach the primary as they were', () => {
    const scenario = validateScenarioObject(parse(twoDomainWorld({ traffic: '[]' })), 'test.yaml');
    const world = new World(scenario, { keepTrace: true });
    world.start();
    submitRaw(world, 'mx2.example.org', 25, {
      from: 'carol@sender.net',
      recipients: [{ address: 'bob@example.org', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob@example.org' }],
      ret: 'HDRS',
      envid: 'QQ314159',
      message: 'Subject: dsn params\r\nMessage-ID: <d6@sender.net>\r\n\r\nbody\r\n',
    });
    world.sim.runUntil(3_600_000);
    const sent = world.sim.trace.events.filter((e) => e.kind === 'net.send' && e.from === 'mx2.example.org').map((e) => String(e.text));
    const toPrimary = sent.join('');
    expect(toPrimary).toMatch(/MAIL FROM:<carol@sender\.net>[^\r]* RET=HDRS/);
    expect(toPrimary).toMatch(/MAIL FROM:<carol@sender\.net>[^\r]* ENVID=QQ314159/);
    expect(toPrimary).toMatch(/RCPT TO:<bob@example\.org>[^\r]* NOTIFY=SUCCESS,FAILURE/);
    expect(toPrimary).toMatch(/RCPT TO:<bob@example\.org>[^\r]* ORCPT=rfc822;bob@example\.org/);
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(1);
  });

  it('NOTIFY=NEVER: a failed recipient is not reported, and the drop is recorded with its reason', () => {
    const scenario = validateScenarioObject(parse(twoDomainWorld({ traffic: '[]' })), 'test.yaml');
    const world = new World(scenario, { keepTrace: false });
    world.start();
    world.log.record({ kind: 'mail.submit', messageId: '<never@sender.net>', from: 'alice@sender.net', to: ['nobody@example.org'], subject: 'x' });
    submitRaw(world, 'mx2.example.org', 25, {
      from: 'alice@sender.net',
      recipients: [{ address: 'nobody@example.org', notify: ['NEVER'] }],
      message: 'Subject: never\r\nMessage-ID: <never@sender.net>\r\n\r\nbody\r\n',
    });
    world.sim.runUntil(3_600_000);
    const log = world.log.records.messages.get('<never@sender.net>')!.recipients.find((r) => r.address === 'nobody@example.org')!;
    expect(log.bounce).toBeNull();
    expect(log.discarded?.reason).toMatch(/NEVER/i);
    expect([...world.log.records.messages.values()].some((m) => m.dsn)).toBe(false);
  });
});

describe('W1: a crash between the Maildir tmp write and the rename', () => {
  it('leaves a tmp orphan and no message; after boot the queue delivers it exactly once', () => {
    const base = run(twoDomainWorld({ example: '{ mx: ["10 mx1.example.org"] }' }));
    const deliveredAt = recipient(base.report, 'bob@example.org').deliveries[0]!.atMs;
    // The commit (rename into new/) runs at deliveredAt; the tmp write one step earlier. A fault
    // scheduled for that same millisecond fires first (it was scheduled first), so the host dies
    // with the message in tmp/ only.
    const yaml = twoDomainWorld({ example: '{ mx: ["10 mx1.example.org"] }', faults: `\n  - { at: ${deliveredAt}ms, down: mx1.example.org, until: 1h }` });
    const scenario = validateScenarioObject(parse(yaml), 'test.yaml');
    const { report, world } = runScenarioWorld(scenario);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.deliveries).toHaveLength(1);
    expect(bob.deliveries[0]!.atMs).toBeGreaterThan(3_600_000);
    const files = world.hosts.get('mx1.example.org')!.platter.filePaths();
    expect(files.filter((path) => path.startsWith('mail/bob/') && path.includes('/tmp/'))).toHaveLength(1); // the orphan
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(1);
    expect(report.invariants.every((i) => i.passed)).toBe(true);
  });
});

describe('W2: mbox mailboxes', () => {
  it('delivers into mbox with a From_ line and mboxrd quoting, readable over POP3', () => {
    const yaml = twoDomainWorld({
      example: '{ mx: ["10 mx1.example.org"] }',
      traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@example.org, subject: mbox, body: "From the start\\n>From quoted\\nend" }\n  - at: 1h\n    fetch: { user: bob@example.org, protocol: pop3, keep: true }',
      expect: '\n  - { fetched: bob@example.org, count: 1, subject: mbox }',
    })
      .replace('mx1.example.org:\n    roles: [mta, mda]', 'mx1.example.org:\n    mailbox: mbox\n    roles: [mta, mda, pop3]');
    const { report, world } = run(yaml);
    expect(report.passed).toBe(true);
    const files = world.hosts.get('mx1.example.org')!.platter;
    const mboxPath = files.filePaths().find((p) => p.startsWith('mail/bob') && !p.includes('.mailsim'));
    expect(mboxPath).toBeDefined();
    const text = new TextDecoder('latin1').decode(files.readFile(mboxPath!)!);
    expect(text).toMatch(/^From alice@sender\.net (Mon|Tue|Wed|Thu|Fri|Sat|Sun) Jan {2}1 00:01:\d\d 2026\n/);
    expect(text).toContain('\n>From the start\n>>From quoted\nend\n');
    expect(text.endsWith('\n\n')).toBe(true); // a blank line after each message
  });
});

describe('the MDA (docs/reference.md §5 users, §7.1 filters)', () => {
  it('quota: a delivery over quota is deferred with 4.2.2 (retried), then bounced at the lifetime', () => {
    const yaml = twoDomainWorld({
      example: '{ mx: ["10 mx1.example.org"] }',
      traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@example.org, subject: big, size: 5kB }',
      until: '6d',
    }).replace('users: { bob: hunter2 }', 'users: { bob: { password: hunter2, quota: 1kB } }');
    const { report } = run(yaml);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('4.2.2');
  });

  it('a reject filter bounces with 5.7.1; a forward filter re-queues to the new address with the original sender', () => {
    const yaml = twoDomainWorld({
      example: '{ mx: ["10 mx1.example.org"] }',
      traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@example.org, subject: "go away", body: x }\n  - at: 2m\n    send: { from: alice@sender.net, to: bob@example.org, subject: "for carol", body: y }',
    }).replace(
      'users: { bob: hunter2 }',
      'users:\n      bob:\n        password: hunter2\n        filters:\n          - { if: { header: Subject, contains: "go away" }, then: reject }\n          - { if: { header: Subject, matches: "^for carol$" }, then: { forward: [carol@example.org, dora@example.org] } }\n      carol: pw\n      dora: pw2',
    );
    const { report, world } = run(yaml);
    expect(recipient(report, 'bob@example.org', 0).status).toBe('bounced');
    expect(recipient(report, 'bob@example.org', 0).bounce?.status).toBe('5.7.1');
    expect(recipient(report, 'bob@example.org', 1).status).toBe('discarded');
    const carol = mailbox(world, 'mx1.example.org', 'carol');
    expect(carol).toHaveLength(1);
    expect(mailbox(world, 'mx1.example.org', 'dora')).toHaveLength(1);
    expect(carol[0]).toMatch(/^Return-Path: <alice@sender\.net>/);
    expect(report.invariants.every((i) => i.passed)).toBe(true);
  });
});

describe('the MSA and the inbound limits (issue 4, RFC 6409 §8, docs/reference.md §5.3)', () => {
  it('the MSA adds Message-ID and Date when the client left them out, and one Received line', () => {
    const { world } = run(twoDomainWorld({ traffic: '[]', example: '{ mx: ["10 mx1.example.org"] }' }));
    world.sim.runUntil(world.sim.nowMs + 1);
    submitRaw(world, 'smtp.sender.net', 587, { from: 'alice@sender.net', recipients: [{ address: 'bob@example.org' }], message: 'From: <alice@sender.net>\r\nSubject: bare\r\n\r\nno id, no date\r\n' }, {
      tls: 'required',
      auth: { user: 'alice', password: 'secret' },
    });
    world.sim.runUntil(world.sim.nowMs + 600_000);
    const [message] = mailbox(world, 'mx1.example.org', 'bob');
    expect(message).toMatch(/\r\nMessage-ID: <[0-9a-f]+@smtp\.sender\.net>\r\n/);
    expect(message).toMatch(/\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d Jan 2026 /);
    expect(message).toMatch(/by smtp\.sender\.net with ESMTPSA id Q[0-9A-F]+/);
  });

  it('a message over limits.message-size is never submitted: the MSA advertises SIZE and the client refuses (RFC 1870)', () => {
    const yaml = twoDomainWorld({
      traffic: '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@example.org, subject: huge, size: 50kB }',
    }).replace('network: { latency: 20ms }', 'network: { latency: 20ms }\ndefaults: { limits: { message-size: 10kB } }');
    const { report, world } = run(yaml);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('rejected');
    // The MSA's EHLO says SIZE 10000; a 50 kB message is refused by the client before MAIL (RFC 1870
    // §6) — the server's own 552 5.3.4 for a client that sends anyway is tested in the SMTP server tests.
    expect(bob.reason).toMatch(/^not sent: the message \(\d+ bytes\) is larger than the server's SIZE limit \(RFC 1870\)$/);
    expect(world.hosts.get('smtp.sender.net')!.queue.size).toBe(0);
    expect(report.invariants.every((i) => i.passed)).toBe(true);
  });
});
