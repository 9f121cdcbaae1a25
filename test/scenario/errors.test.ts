/**
 * Broken scenarios: every problem is reported at once, each with the right file:line:column, the key
 * path (`hosts.mx1.example.org.roles[1]`, host names with dots as written) and what was expected.
 * Never a stack trace: ScenarioError.format() gives the lines the CLI prints.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultKindNames } from '../../src/faults/index.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { analyseScenarioFile, analyseScenarioText, loadScenario, parseScenarioText } from '../../src/scenario/load.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

function loadError(load: () => unknown): ScenarioError {
  try {
    load();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('a file with many problems', () => {
  const file = fixture('broken-many.yaml');
  const error = loadError(() => loadScenario(file));
  // [line, column, path, message pattern]
  const expected: Array<[number, number, string, RegExp]> = [
    [2, 7, 'seed', /^expected a whole number, 0 or more; got "seven"$/],
    [3, 8, 'until', /^"5 minutes" is not a duration: expected a duration such as 250ms, 30s, 5m.*; did you mean 5m\?$/],
    [4, 1, 'netwrok', /^unknown key "netwrok"; did you mean "network"\?$/],
    [8, 18, 'hosts.mx1.example.org.roles[1]', /^expected a role: msa, mta, mda, pop3, imap; got "smtp"$/],
    [10, 5, 'hosts.mx1.example.org.relay_for', /^unknown key "relay_for"; did you mean "relay-for"\?$/],
    [12, 72, 'hosts.mx1.example.org.users.bob.filters[0].if.matches', /^not a valid regular expression: .*Unterminated character class/],
    [13, 24, 'hosts.mx1.example.org.queue.lifetime', /^a duration cannot be negative \(got "-3s"\); expected a duration such as/],
    [14, 10, 'hosts.mx1.example.org.tls', /^expected true or false; got "yes"$/],
    [16, 46, 'faults[0].refuse', /^expected exactly one fault action, found down and refuse/],
    [20, 65, 'traffic[0].send.port', /^expected port 587, 465 or 25; got number 26$/],
    [22, 43, 'expect[0].status', /^status does not apply to delivered; delivered takes within, via, count, folder$/],
    [23, 41, 'expect[1].within', /^"1.5.3h" is not a duration/],
  ];

  it('reports every problem at once, in file order', () => {
    expect(error.errors.map((p) => [p.line, p.column, p.path])).toEqual(expected.map(([line, column, path]) => [line, column, path]));
  });

  it.each(expected.map((e, i) => [e[2], i] as const))('%s: says what was expected', (_path, index) => {
    const problem = error.errors[index]!;
    expect(problem.file).toBe(file);
    expect(problem.severity).toBe('error');
    expect(problem.message).toMatch(expected[index]![3]);
  });

  it('formats one line per problem, file:line:col: path: message, with no stack trace', () => {
    const lines = error.format();
    expect(lines).toHaveLength(expected.length);
    expect(lines[3]).toBe(`${file}:8:18: hosts.mx1.example.org.roles[1]: expected a role: msa, mta, mda, pop3, imap; got "smtp"`);
    for (const line of lines) expect(line).not.toMatch(/\n|\bat .*\.ts:\d+/);
    expect(error.message).toContain('12 problems');
  });
});

describe('single problems', () => {
  const problemsOf = (yaml: string) => analyseScenarioText(yaml, 's.yaml').errors.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);

  it('YAML syntax errors get file:line:column', () => {
    // Written at test time: a syntax error in a fixture would trip Biome, which parses YAML under test/.
    const file = join(mkdtempSync(join(tmpdir(), 'mailsim-scenario-')), 'broken-syntax.yaml');
    writeFileSync(file, 'name: a YAML syntax error\nhosts:\n  mx.example.org:\n    roles: [mta, mda\n    domains: [example.org]\n');
    const error = loadError(() => loadScenario(file));
    expect(error.errors).toHaveLength(1);
    expect(error.format()[0]).toBe(`${file}:5:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`);
  });

  it('duplicate keys are a syntax error at the second key', () => {
    expect(problemsOf('name: a\nname: b\nhosts: { h.test: }\n')).toEqual(['2:1 : YAML syntax error: Map keys must be unique']);
  });

  it('a missing required key points at the enclosing mapping', () => {
    expect(problemsOf('hosts:\n  h.test:\n')).toEqual(['1:1 name: name is required: expected a name (a short title)']);
    expect(problemsOf('name: x\ntraffic:\n  - at: 1m\n    fetch: { protocol: pop3 }\nhosts: { h.test: }\n')).toEqual([
      '4:12 traffic[0].fetch.user: user is required: expected a mail address such as bob@example.org',
    ]);
  });

  it('an empty document and a non-mapping document', () => {
    expect(problemsOf('')).toEqual(['1:1 : expected a mapping (a mailsim scenario, see docs/reference.md); got an empty value']);
    expect(problemsOf('- a\n- b\n')).toEqual(['1:1 : expected a mapping (a mailsim scenario, see docs/reference.md)']);
  });

  it('a fault with no action and a traffic item with two', () => {
    expect(problemsOf('name: x\nhosts: { h.test: }\nfaults:\n  - { at: 1m }\ntraffic:\n  - { at: 1m, send: { from: a@h.test, to: b@h.test }, fetch: { user: b@h.test, protocol: imap } }\n')).toEqual([
      `4:5 faults[0]: expected one fault action: ${faultKindNames.join(', ')}`,
      '6:62 traffic[0].fetch: expected exactly one traffic action, found send and fetch (write one traffic item each)',
    ]);
  });

  it('wrong types, enums with did-you-mean, bad MX strings, union alternatives', () => {
    expect(
      problemsOf(
        [
          'name: x',
          'network: { latency: { min: 5ms, max: fast } }',
          'dns:',
          '  example.org: { mx: ["mx1.example.org"], a: 300.1.1.1 }',
          'hosts:',
          '  h.test: { roles: mta, mailbox: maildri, users: { bob: { pasword: x } } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '2:38 network.latency.max: "fast" is not a duration: expected a duration such as 250ms, 30s, 5m, 4h, 5d or 1h30m (units ms, s, m, h, d, w; a bare number is milliseconds)',
      // Found on the repaired copy in the same pass (it used to wait until the shape errors were fixed).
      '4:23 dns.example.org.mx[0]: expected "PREFERENCE HOST" such as "10 mx1.example.org" (preference 0–65535), got "mx1.example.org"',
      '4:46 dns.example.org.a: expected an IPv4 address such as 10.0.0.10; got "300.1.1.1"',
      '6:20 hosts.h.test.roles: expected a list (msa (587/465), mta (25), mda (local delivery), pop3, imap); got "mta"',
      '6:34 hosts.h.test.mailbox: expected one of maildir, mbox; got "maildri"; did you mean maildir?',
      '6:59 hosts.h.test.users.bob.pasword: unknown key "pasword"; did you mean "password"?',
    ]);
    // The MX string is checked after the shape (normalisation), with its own position.
    expect(problemsOf('name: x\ndns:\n  example.org: { mx: ["mx1.example.org", "10 ."] }\nhosts: { h.test: }\n')).toEqual([
      '3:22 dns.example.org.mx: a null MX must be the only MX record, written "0 ." (RFC 7505 §3)',
      '3:23 dns.example.org.mx[0]: expected "PREFERENCE HOST" such as "10 mx1.example.org" (preference 0–65535), got "mx1.example.org"',
    ]);
  });

  it('filter conditions and actions', () => {
    expect(
      problemsOf(
        [
          'name: x',
          'hosts:',
          '  h.test:',
          '    domains: [h.test]',
          '    users:',
          '      bob:',
          '        password: pw',
          '        filters:',
          '          - { if: { contains: spam }, then: { folder: Junk, forward: a@b.test } }',
          '          - { if: { header: Subject }, then: destroy }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '9:31 hosts.h.test.users.bob.filters[0].if.contains: contains needs a header, e.g. { header: Subject, contains: ... }',
      '9:70 hosts.h.test.users.bob.filters[0].then.forward: expected exactly one filter action, found folder and forward',
      '10:29 hosts.h.test.users.bob.filters[1].if.header: header needs exactly one of contains or matches',
      '10:46 hosts.h.test.users.bob.filters[1].then: expected discard, reject, or { folder | forward | reject: ... }; got "destroy"',
    ]);
  });

  it('an invalid retry rule lists each bad item', () => {
    expect(problemsOf('name: x\ndefaults: { queue: { schedule: exim, rule: "F,2h; X,1h,5m; G,1h,1h,0.5" } }\nhosts: { h.test: }\n')).toEqual([
      '2:44 defaults.queue.rule: item 1 ("F,2h"): F takes 2 values (CUTOFF,INTERVAL), got 1',
      '2:44 defaults.queue.rule: item 2 ("X,1h,5m") must start with F, G or H; expected an Exim retry rule such as "F,2h,15m; G,16h,1h,1.5; F,4d,6h" (items F,CUTOFF,INTERVAL or G|H,CUTOFF,INTERVAL,FACTOR separated by ";")',
      '2:44 defaults.queue.rule: item 3 ("G,1h,1h,0.5"): the factor must be a number from 1 to 100, such as 1.5 (got "0.5")',
    ]);
  });

  it('semantic problems after the shape is right: min above max, cname with other records, until before at', () => {
    expect(
      problemsOf(
        'name: x\nnetwork: { latency: { min: 80ms, max: 5ms } }\ndns:\n  www.h.test: { cname: h.test, a: 10.0.0.1 }\nhosts: { h.test: { queue: { min: 2h, max: 1h } } }\nfaults:\n  - { at: 2h, until: 1h, down: h.test }\n',
      ),
    ).toEqual([
      '2:21 network.latency: latency min is above max',
      '4:24 dns.www.h.test.cname: a name with a cname can have no other records (RFC 1034 §3.6.2); it also has a',
      '5:27 hosts.h.test.queue: queue min is above max',
      '7:22 faults[0].until: until (3600000 ms) must be after at (7200000 ms)',
    ]);
  });

  it('an unreadable file is a located problem, not an exception', () => {
    const analysis = analyseScenarioFile(fixture('does-not-exist.yaml'));
    expect(analysis.errors.map((p) => p.message)).toEqual(['cannot read the scenario file: no such file']);
    expect(() => loadScenario(fixture('does-not-exist.yaml'))).toThrow(ScenarioError);
  });

  it('parseScenarioText throws a ScenarioError naming the given file', () => {
    const error = loadError(() => parseScenarioText('name: [', 'inline.yaml'));
    expect(error.file).toBe('inline.yaml');
    expect(error.format()[0]).toMatch(/^inline\.yaml:1:\d+: YAML syntax error/);
  });
});
