/**
 * Every SMTP reply a mailsim server sends carries at most one enhanced status code, of the reply
 * code's class (RFC 3463 §3.1, RFC 2034 §4, docs/delivery.md D7). The SMTP machine's own replies are
 * covered by test/protocols/smtp/server-property.test.ts; this file covers the replies the nodes hand
 * the machine (greylisting, unknown users, relay policy, quota, scripted `reply` faults at every
 * stage), read from the transcripts of real runs: every example scenario, the everything fixture, and a
 * world that scripts replies with and without an enhanced code in their text. A scripted reply whose
 * text starts with an enhanced code goes out as written at every stage, before EHLO too (issue 22 point 3).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSessions, type SessionSegment } from '../../src/report/sessions.js';
import { loadScenario, validateScenarioObject } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import type { Scenario } from '../../src/scenario/schema-types.js';

const ENHANCED = /^([245])\.\d{1,3}\.\d{1,3}$/;

/** The problems of one server reply line: a second enhanced code, or one of another class. */
function enhancedCodeProblems(line: string): string[] {
  const match = /^(\d{3})[ -](.*)$/.exec(line);
  if (match === null) return [`not a reply line: ${JSON.stringify(line)}`];
  const words = match[2]!.split(' ');
  const problems: string[] = [];
  if (ENHANCED.test(words[0] ?? '') && ENHANCED.test(words[1] ?? '')) problems.push(`two enhanced codes: ${line}`);
  const first = ENHANCED.exec(words[0] ?? '');
  if (first !== null && first[1] !== match[1]![0]) problems.push(`enhanced code of another class: ${line}`);
  return problems;
}

function serverReplyLines(scenario: Scenario): string[] {
  const { world } = runScenarioWorld(scenario, { keepTrace: true });
  const { sessions } = extractSessions(world.sim.trace.events, { sessionsMax: 100_000, linesPerSessionMax: 100_000 });
  return sessions
    .filter((s) => s.protocol === 'smtp')
    .flatMap((s) => s.entries.filter((e): e is SessionSegment => e.type === 'segment' && e.side === 'server'))
    .flatMap((segment) => segment.lines);
}

const stages = ['connect', 'ehlo', 'mail', 'rcpt', 'data', 'dot'] as const;

/** One MX per stage, each answering a scripted reply there; the texts mix forms a user may write. */
function scriptedWorld(): Scenario {
  const hosts: Record<string, unknown> = {
    'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
  };
  const dns: Record<string, unknown> = { 'sender.net': { mx: ['10 smtp.sender.net'] } };
  const faults: unknown[] = [];
  const traffic: unknown[] = [];
  stages.forEach((stage, index) => {
    const domain = `d${index}.example`;
    const host = `mx.${domain}`;
    dns[domain] = { mx: [`10 ${host}`] };
    hosts[host] = { roles: ['mta', 'mda'], domains: [domain], users: { bob: 'pw' }, greylist: '1m' };
    const texts = ['4.7.1 try later', 'plain text', '4.3.0', ''];
    faults.push({ at: '0s', until: '30m', reply: { host, on: stage, code: 451, text: texts[index % texts.length], times: 1 } });
    faults.push({ at: '30m', reply: { host, on: stage, code: 554, text: index % 2 === 0 ? '5.7.1 no thanks' : 'go away', times: 1 } });
    traffic.push({ at: '1m', send: { from: 'alice@sender.net', to: [`bob@${domain}`, `nobody@${domain}`], subject: 's', body: 'b' } });
    traffic.push({ at: '40m', send: { from: 'alice@sender.net', to: `bob@${domain}`, subject: 't', body: 'b' } });
  });
  return validateScenarioObject({ name: 'scripted replies at every stage', until: '2d', dns, hosts, faults, traffic }, 'scripted-world');
}

/** One MX per stage answering `451 4.7.N scripted at STAGE` there, once (issue 22 point 3). */
function asWrittenWorld(): Scenario {
  const hosts: Record<string, unknown> = { 'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } } };
  const dns: Record<string, unknown> = { 'sender.net': { mx: ['10 smtp.sender.net'] } };
  const faults: unknown[] = [];
  const traffic: unknown[] = [];
  stages.forEach((stage, index) => {
    const domain = `w${index}.example`;
    dns[domain] = { mx: [`10 mx.${domain}`] };
    hosts[`mx.${domain}`] = { roles: ['mta', 'mda'], domains: [domain], users: { bob: 'pw' } };
    faults.push({ at: '0s', reply: { host: `mx.${domain}`, on: stage, code: 451, text: `4.7.${index + 1} scripted at ${stage}`, times: 1 } });
    traffic.push({ at: '1m', send: { from: 'alice@sender.net', to: `bob@${domain}`, subject: 's', body: 'b' } });
  });
  return validateScenarioObject({ name: 'scripted replies as written', until: '1h', dns, hosts, faults, traffic }, 'as-written-world');
}

describe('enhanced status codes on the wire', () => {
  it('issue 22 point 3: a scripted reply goes out as written, its one enhanced code included, at every stage — the greeting and the EHLO reply too', () => {
    const lines = serverReplyLines(asWrittenWorld());
    for (const [index, stage] of stages.entries()) expect(lines).toContain(`451 4.7.${index + 1} scripted at ${stage}`);
    expect(lines.flatMap(enhancedCodeProblems)).toEqual([]);
  });

  it('the line checker finds a doubled code and a code of another class', () => {
    expect(enhancedCodeProblems('450 4.2.0 4.2.0 Greylisted')).toHaveLength(1);
    expect(enhancedCodeProblems('451 5.3.0 mismatch')).toHaveLength(1);
    expect(enhancedCodeProblems('450 4.2.0 Greylisted, please try again in 300 seconds')).toEqual([]);
    expect(enhancedCodeProblems('220 mx ESMTP')).toEqual([]);
  });

  const files = [
    ...readdirSync('scenarios')
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join('scenarios', f)),
    'test/scenario/fixtures/everything.yaml',
  ];
  it.each(files)('%s: at most one enhanced code per reply line, of the reply class', (file) => {
    const lines = serverReplyLines(loadScenario(file));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.flatMap(enhancedCodeProblems)).toEqual([]);
  });

  it('scripted replies at every stage, greylisting and unknown users', () => {
    const lines = serverReplyLines(scriptedWorld());
    // The world reaches the replies it is meant to: greylisting, each scripted text, an unknown user.
    expect(lines.some((l) => l.startsWith('450 4.2.0 Greylisted'))).toBe(true);
    expect(lines.some((l) => l.startsWith('451 4.7.1 try later'))).toBe(true);
    expect(lines.some((l) => l.startsWith('451 4.3.0'))).toBe(true);
    expect(lines.some((l) => l.startsWith('554 5.7.1 no thanks'))).toBe(true);
    expect(lines.some((l) => /^550 5\.1\.1 /.test(l))).toBe(true);
    expect(lines.flatMap(enhancedCodeProblems)).toEqual([]);
  });

  it('check refuses a scripted text whose enhanced code is of another class, and a text with a line break', () => {
    const base = { name: 'x', hosts: { 'mx.example.org': { roles: ['mta'] } } };
    const withReply = (code: number, text: string) => ({ ...base, faults: [{ at: '0s', reply: { host: 'mx.example.org', on: 'rcpt', code, text } }] });
    expect(() => validateScenarioObject(withReply(451, '5.3.0 mixed'))).toThrow(/faults\[0\]\.reply\.text.*5\.3\.0 does not match reply code 451/s);
    expect(() => validateScenarioObject(withReply(451, 'a\r\nb'))).toThrow(/no CR or LF/);
    expect(() => validateScenarioObject(withReply(451, '4.3.0 fine'))).not.toThrow();
  });
});
