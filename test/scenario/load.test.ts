/**
 * The loader on valid files: the complete example of docs/reference.md §2 (verbatim) normalises to the
 * expected object with every default of §3–§8 filled in; the other fixtures cover every section, JSON
 * input and plain objects (as runScenario accepts them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScenario, loadScenario, parseScenarioText, validateScenarioObject } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

describe('docs/reference.md §2 example', () => {
  it('is the verbatim example of the reference', () => {
    const contract = readFileSync(join(import.meta.dirname, '../../docs/reference.md'), 'utf8');
    const example = /## 2\. A complete example\n\n```yaml\n([\s\S]*?)```/.exec(contract)?.[1];
    expect(example).toBeDefined();
    expect(readFileSync(fixture('primary-mx-down.yaml'), 'utf8')).toBe(example);
  });

  const scenario = loadScenario(fixture('primary-mx-down.yaml'));

  it('keeps what the file says', () => {
    expect(scenario.kind).toBe('mailsim-scenario/1');
    expect(scenario.name).toBe('primary MX down for two hours; the backup MX holds the mail');
    expect(scenario.seed).toBe(7);
    expect(scenario.untilMs).toBe(7 * 86_400_000);
    expect(scenario.network).toEqual({ latency: { minMs: 20, maxMs: 20 }, links: [] });
    expect(scenario.dns.find((e) => e.name === 'example.org')?.records.mx).toEqual([
      { preference: 10, host: 'mx1.example.org' },
      { preference: 20, host: 'mx2.example.org' },
    ]);
    expect(scenario.hosts.map((h) => h.name)).toEqual(['smtp.sender.net', 'mx1.example.org', 'mx2.example.org']);
    expect(scenario.faults).toEqual([{ index: 0, atMs: 0, untilMs: 7_200_000, action: { kind: 'down', host: 'mx1.example.org' } }]);
    expect(scenario.traffic).toEqual([
      {
        index: 0,
        atMs: 60_000,
        kind: 'send',
        send: {
          from: 'alice@sender.net',
          to: ['bob@example.org'],
          subject: 'Hello',
          body: 'Hi Bob',
          sizeBytes: null,
          headers: [],
          via: 'smtp.sender.net', // §7: the msa whose domains include sender.net
          port: 587,
          count: 1,
          everyMs: 1000,
          notify: null,
          requireTls: false,
        },
      },
      {
        index: 1,
        atMs: 14_400_000,
        kind: 'fetch',
        fetch: { user: 'bob@example.org', protocol: 'pop3', keep: false, tls: true, folder: 'INBOX', host: 'mx1.example.org' },
      },
    ]);
    expect(scenario.expect).toEqual([
      { kind: 'delivered', address: 'bob@example.org', withinMs: 10_800_000, via: 'mx2.example.org', count: null, folder: null, source: { delivered: 'bob@example.org', via: 'mx2.example.org', within: '3h' } },
      { kind: 'fetched', user: 'bob@example.org', count: 1, subject: null, source: { fetched: 'bob@example.org', count: 1 } },
      { kind: 'no-bounces', source: { 'no-bounces': true } },
    ]);
    expect(scenario.warnings).toEqual([]);
  });

  it('fills in the defaults of §5', () => {
    const mx2 = scenario.hosts[2]!;
    expect(mx2.roles).toEqual(['mta']);
    expect(mx2.relayFor).toEqual(['example.org']);
    expect(mx2.mailbox).toBe('maildir');
    expect(mx2.tls).toBe(true);
    expect(mx2.greylistMs).toBeNull();
    expect(mx2.deliversLocally).toBe(false);
    expect(mx2.queue).toEqual({
      schedule: 'postfix',
      minMs: 300_000,
      maxMs: 4_000_000,
      scanMs: 300_000,
      rule: [
        { kind: 'F', cutoffMs: 7_200_000, intervalMs: 900_000, multiplier: 1 },
        { kind: 'G', cutoffMs: 57_600_000, intervalMs: 3_600_000, multiplier: 1.5 },
        { kind: 'F', cutoffMs: 345_600_000, intervalMs: 21_600_000, multiplier: 1 },
      ],
      ruleText: 'F,2h,15m; G,16h,1h,1.5; F,4d,6h',
      offsetsMs: [],
      lifetimeMs: 432_000_000,
      bounceLifetimeMs: 432_000_000,
      warnAfterMs: null,
      concurrency: 5,
      concurrencyLimit: 20,
      processLimit: 100,
      failedCohorts: 1,
      connectionCache: true,
      connectionCacheTimeMs: 2000,
    });
    expect(mx2.timeouts).toEqual({
      connectMs: 30_000,
      greetingMs: 300_000,
      heloMs: 300_000,
      mailMs: 300_000,
      rcptMs: 300_000,
      dataInitMs: 120_000,
      dataBlockMs: 180_000,
      dataDoneMs: 600_000,
      serverIdleMs: 300_000,
      pop3IdleMs: 600_000,
      imapIdleMs: 1_800_000,
    });
    expect(mx2.limits).toEqual({
      messageSizeBytes: 10_240_000,
      recipients: 1000,
      hops: 50,
      mxAddresses: 5,
      mxSessions: 2,
      minDataRateBytesPerS: 500,
      imapPreauthCommandBytes: 8192,
      smtpSoftErrors: 10,
      smtpHardErrors: 20,
      smtpErrorDelayMs: 1000,
      authFailures: 3,
      authFailureDelayMs: 2000,
      lineOctetsMax: 998,
    });
    // Hosts do not share objects: adjusting one never changes another.
    expect(mx2.queue).not.toBe(scenario.hosts[1]!.queue);
  });

  it('gives every host an address and an a record (§4)', () => {
    const [sender, mx1, mx2] = scenario.hosts;
    expect([mx1!.address, mx1!.addressSource]).toEqual(['10.0.0.10', 'dns']);
    expect([mx2!.address, mx2!.addressSource]).toEqual(['10.0.0.20', 'dns']);
    expect(sender!.addressSource).toBe('assigned');
    expect(scenario.dns.find((e) => e.name === 'smtp.sender.net')).toEqual({
      name: 'smtp.sender.net',
      records: { mx: [], a: [sender!.address], aaaa: [], cname: null, txt: [], ttlMs: 3_600_000 },
      auto: true,
    });
    expect(sender!.users).toEqual([{ name: 'alice', password: 'secret', filters: [], quotaBytes: null, addresses: ['alice@sender.net'] }]);
  });

  it('is plain JSON (the runner may copy it into reports)', () => {
    expect(JSON.parse(JSON.stringify(scenario))).toEqual(scenario);
  });
});

describe('every section', () => {
  const s = loadScenario(fixture('everything.yaml'));
  const host = (name: string) => s.hosts.find((h) => h.name === name)!;

  it('merges queue/timeouts/limits key by key: built-in ← defaults ← host', () => {
    const relay = host('relay.corp.example');
    expect(relay.queue.schedule).toBe('postfix'); // host
    expect(relay.queue.minMs).toBe(60_000); // host
    expect(relay.queue.warnAfterMs).toBe(14_400_000); // defaults
    expect(relay.queue.scanMs).toBe(300_000); // built-in
    expect([relay.queue.concurrency, relay.queue.failedCohorts, relay.queue.concurrencyLimit]).toEqual([8, 2, 10]); // host, host, defaults
    expect([relay.queue.connectionCache, relay.queue.connectionCacheTimeMs]).toEqual([true, 3000]); // host
    expect(relay.queue.rule[1]).toEqual({ kind: 'G', cutoffMs: 28_800_000, intervalMs: 1_800_000, multiplier: 2 });
    const mail = host('mail.example.com');
    expect(mail.timeouts.connectMs).toBe(10_000);
    expect(mail.timeouts.dataDoneMs).toBe(300_000);
    expect(mail.timeouts.serverIdleMs).toBe(600_000);
    expect(mail.timeouts.heloMs).toBe(300_000);
    expect(mail.limits).toEqual({
      messageSizeBytes: 2_000_000,
      recipients: 100,
      hops: 30,
      mxAddresses: 3,
      mxSessions: 2,
      minDataRateBytesPerS: 500,
      imapPreauthCommandBytes: 8192,
      smtpSoftErrors: 5, // host
      smtpHardErrors: 8, // host
      smtpErrorDelayMs: 500, // defaults
      authFailures: 5, // defaults
      authFailureDelayMs: 1000, // host
      lineOctetsMax: 990,
    });
  });

  it('normalises DNS: names lower case, MX objects, one-or-list, null MX, cname', () => {
    const entry = (name: string) => s.dns.find((e) => e.name === name)!.records;
    expect(entry('corp.example').mx).toEqual([{ preference: 5, host: 'relay.corp.example' }]);
    expect(entry('mail.example.com')).toMatchObject({ a: ['192.0.2.10', '192.0.2.11'], aaaa: ['2001:db8::10'] });
    expect(entry('example.com')).toMatchObject({ txt: ['v=spf1 -all'], ttlMs: 300_000 });
    expect(entry('www.example.com').cname).toBe('mail.example.com');
    expect(entry('nomail.example').mx).toEqual([{ preference: 0, host: '.' }]);
    expect(host('mail.example.com')).toMatchObject({ address: '192.0.2.10', addressSource: 'dns' });
    expect(host('backup.example.com')).toMatchObject({ address: '192.0.2.99', addressSource: 'fixed' });
    expect(entry('backup.example.com')).toMatchObject({ a: ['192.0.2.99'] });
  });

  it('normalises hosts: users, filters, routes, greylist, mailbox, tls', () => {
    const mail = host('mail.example.com');
    expect(mail).toMatchObject({ mailbox: 'mbox', greylistMs: 300_000, tls: false, deliversLocally: true });
    const eve = mail.users[0]!;
    expect(eve.quotaBytes).toBe(5 * 1024 * 1024);
    expect(eve.filters.map((f) => f.action)).toEqual([
      { kind: 'folder', folder: 'Junk' },
      { kind: 'discard' },
      { kind: 'forward', to: ['eve@corp.example'] },
      { kind: 'reject', text: null },
      { kind: 'reject', text: 'too big' },
    ]);
    expect(eve.filters[1]!.condition.header).toEqual({ name: 'X-Mailer', contains: null, matches: { source: '^bulk', flags: 'i' } });
    expect(eve.filters[3]!.condition).toEqual({ header: null, from: null, to: 'Eve@example.com', sizeOverBytes: 1_000_000 });
    const relay = host('relay.corp.example');
    expect(relay.routes).toEqual([{ domain: '*', host: 'mail.example.com' }]);
    expect(relay.users.map((u) => [u.name, u.password])).toEqual([['carol', 'pw1'], ['dave', '1234']]);
  });

  it('normalises every fault action', () => {
    expect(s.faults.map((f) => f.action)).toEqual([
      { kind: 'refuse', host: 'mail.example.com', port: 25 },
      { kind: 'partition', groups: [['relay.corp.example'], ['mail.example.com', 'backup.example.com']] },
      { kind: 'latency', between: ['relay.corp.example', 'mail.example.com'], latency: { minMs: 2000, maxMs: 2000 } },
      { kind: 'dns', name: 'example.com', type: 'mx', rcode: 'servfail' },
      { kind: 'dns-set', entries: [{ name: 'example.com', auto: false, records: { mx: [{ preference: 20, host: 'backup.example.com' }], a: [], aaaa: [], cname: null, txt: [], ttlMs: 3_600_000 } }] },
      { kind: 'reply', host: 'mail.example.com', on: 'rcpt', code: 451, text: '4.3.0 try later', times: 2, probability: null, per: 'command' },
      { kind: 'drop', host: 'mail.example.com', after: 'dot', times: null, probability: 0.5 },
      { kind: 'flaky', host: 'backup.example.com', probability: 0.25 },
      { kind: 'down', host: 'backup.example.com' },
      { kind: 'up', host: 'backup.example.com' },
    ]);
    expect(s.faults[0]!.untilMs).toBe(1_800_000);
    expect(s.faults[8]!.untilMs).toBeNull();
  });

  it('normalises traffic: recipients (domain lower case, local part kept), size, headers, ports', () => {
    const [first, second, third, imap, pop] = s.traffic;
    expect(first!.kind === 'send' && first!.send.to).toEqual(['eve@example.com', 'Eve@example.com']);
    expect(second!.kind === 'send' && second!.send).toMatchObject({ body: null, sizeBytes: 10_000, port: 465, count: 3, everyMs: 30_000, headers: [{ name: 'X-Mailer', value: 'bulk 1.0' }], via: 'relay.corp.example' });
    expect(third!.kind === 'send' && third!.send).toMatchObject({ port: 25, via: 'mail.example.com', subject: null, body: '' });
    // tls defaults to the serving host's tls (mail.example.com has tls: false).
    expect(imap!.kind === 'fetch' && imap!.fetch).toEqual({ user: 'eve@example.com', protocol: 'imap', keep: false, tls: false, folder: 'Junk', host: 'mail.example.com' });
    expect(pop!.kind === 'fetch' && pop!.fetch).toMatchObject({ keep: true, tls: false });
    expect(s.untilMs).toBe(2 * 86_400_000 + 12 * 3_600_000);
    expect(s.network).toEqual({ latency: { minMs: 5, maxMs: 80 }, links: [{ between: ['relay.corp.example', 'mail.example.com'], latency: { minMs: 150, maxMs: 150 } }] });
  });

  it('normalises every expectation kind', () => {
    expect(s.expect.map(({ source: _source, ...rest }) => rest)).toEqual([
      { kind: 'delivered', address: 'eve@example.com', withinMs: 86_400_000, via: 'mail.example.com', count: 1, folder: 'Junk' },
      { kind: 'bounced', address: 'eve@example.com', status: '5.', withinMs: 172_800_000 },
      { kind: 'deferred', address: 'eve@example.com' },
      { kind: 'rejected', address: 'eve@example.com' },
      { kind: 'fetched', user: 'eve@example.com', count: 2, subject: '[SPAM] hi' },
      { kind: 'no-bounces' },
    ]);
  });
});

describe('other inputs', () => {
  it('loads JSON files (YAML 1.2 is a superset of JSON)', () => {
    const s = loadScenario(fixture('smarthost.json'));
    expect(s.hosts.find((h) => h.name === 'laptop.home.test')?.routes).toEqual([{ domain: '*', host: 'smarthost.isp.test' }]);
    expect(s.traffic[0]!.kind === 'send' && s.traffic[0]!.send.via).toBe('laptop.home.test');
  });

  it('validates plain objects (no positions) and passes normalised scenarios through', () => {
    const object = { name: 'tiny', hosts: { 'MX.Example.ORG.': { domains: ['Example.org'], users: { Bob: 'pw' } } } };
    const s = validateScenarioObject(object, 'inline');
    expect(s.file).toBe('inline');
    expect(s.hosts[0]).toMatchObject({ name: 'mx.example.org', domains: ['example.org'] });
    expect(s.hosts[0]!.users[0]!.addresses).toEqual(['Bob@example.org']);
    expect(isScenario(s)).toBe(true);
    expect(isScenario(object)).toBe(false);
    expect(validateScenarioObject(s)).toBe(s);
    try {
      validateScenarioObject({ hosts: {} }, 'inline');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      // Both problems at once: the missing name and, checked on a copy with a stand-in name, the empty hosts.
      expect((error as ScenarioError).format()).toEqual(['inline: hosts: expected at least one host', 'inline: name: name is required: expected a name (a short title)']);
    }
  });

  it('accepts a host with no configuration (`host:` with nothing after it)', () => {
    const s = parseScenarioText('name: x\nhosts:\n  mx.example.org:\n', 'x.yaml');
    expect(s.hosts[0]).toMatchObject({ name: 'mx.example.org', roles: ['mta'], addressSource: 'assigned' });
  });

  it('assigns distinct addresses, skipping those the file uses', () => {
    const s = parseScenarioText('name: x\nhosts: { a.test: , b.test: { address: 10.200.0.1 }, c.test: }\n', 'x.yaml');
    const addresses = s.hosts.map((h) => h.address);
    expect(new Set(addresses).size).toBe(3);
    expect(addresses[1]).toBe('10.200.0.1');
  });
});
