/**
 * `reply` with `per: session` (docs/reference.md §6): the probability is drawn once per SMTP session of
 * the host, from the fault's own stream — a session gets the reply at every command of the stage, or at
 * none. Each message here goes to three recipients, so a session has three RCPTs; the report's
 * attempts name their connection (`conn`), which groups them by session.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { analyseScenarioObject, validateScenarioObject } from '../../src/scenario/load.js';

const rcpts = ['bob@example.org', 'carol@example.org', 'dave@example.org'];

function world(faults: Record<string, unknown>[], count = 1) {
  return {
    name: 'reply per session',
    until: '2d',
    network: { latency: '20ms' },
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw', carol: 'pw', dave: 'pw' } },
    },
    faults,
    traffic: [{ at: '0s', send: { from: 'alice@sender.net', to: rcpts, body: 'hi', count, every: '10s' } }],
  };
}

const rcpt451 = (extra: Record<string, unknown>) => ({ at: '0s', reply: { host: 'mx.example.org', on: 'rcpt', code: 451, text: '4.3.0 try later', ...extra } });

function run(faults: Record<string, unknown>[], count: number, seed?: number): Report {
  return runScenarioWorld(validateScenarioObject(world(faults, count)), seed === undefined ? {} : { seed }).report;
}

/** Each session (connection) of the relay to the MX: the RCPT outcome of each recipient, refused (true) or not. */
function sessions(report: Report): Map<string, boolean[]> {
  const out = new Map<string, boolean[]>();
  for (const message of report.messages) {
    if (message.dsn) continue;
    for (const recipient of message.recipients) {
      for (const attempt of recipient.attempts) {
        if (attempt.from !== 'smtp.sender.net' || attempt.to !== 'mx.example.org') continue;
        out.set(attempt.conn, [...(out.get(attempt.conn) ?? []), attempt.reply?.startsWith('451') === true]);
      }
    }
  }
  return out;
}

/** The sessions whose RCPTs were not all refused or all accepted. */
const mixed = (byConn: Map<string, boolean[]>) => [...byConn.values()].filter((outcomes) => outcomes.some((r) => r) && outcomes.some((r) => !r));

describe('reply per: session', () => {
  it('with p = 1 every RCPT of every session is refused', () => {
    const byConn = sessions(run([rcpt451({ probability: 1, per: 'session' })], 3));
    // 3 messages, each tried on arrival and retried: more than 3 sessions, every RCPT refused in each.
    expect(byConn.size).toBeGreaterThan(3);
    for (const outcomes of byConn.values()) expect(outcomes).toEqual([true, true, true]);
  });

  it('with p = 0.5 over many sessions: all or none within a session, about half the sessions hit, same seed same outcome', () => {
    const report = run([rcpt451({ probability: 0.5, per: 'session' })], 60);
    const byConn = sessions(report);
    expect(byConn.size).toBeGreaterThanOrEqual(100);
    // Three RCPTs per transaction; a session the MTA cached and reused (R15) carries several transactions.
    for (const outcomes of byConn.values()) expect(outcomes.length % 3).toBe(0);
    expect(mixed(byConn)).toEqual([]);
    const hit = [...byConn.values()].filter((outcomes) => outcomes[0]).length / byConn.size;
    // Binomial(n ≥ 100, 0.5): 0.35–0.65 is beyond three standard deviations.
    expect(hit).toBeGreaterThan(0.35);
    expect(hit).toBeLessThan(0.65);
    // Everything is delivered in the end, by the retries of the sessions that were refused.
    for (const message of report.messages.filter((m) => !m.dsn)) for (const r of message.recipients) expect(r.status).toBe('delivered');

    const again = sessions(run([rcpt451({ probability: 0.5, per: 'session' })], 60));
    expect([...again.entries()]).toEqual([...byConn.entries()]);
    const otherSeed = sessions(run([rcpt451({ probability: 0.5, per: 'session' })], 60, 7));
    expect([...otherSeed.values()].map((o) => o[0])).not.toEqual([...byConn.values()].map((o) => o[0]));
  });

  it('the check above catches a per-command draw: per: command mixes outcomes within sessions', () => {
    const byConn = sessions(run([rcpt451({ probability: 0.5 })], 60));
    expect(mixed(byConn).length).toBeGreaterThan(10);
  });

  it('draws from the fault’s own stream: adding a per-session fault that never hits changes no other draw', () => {
    const base = [rcpt451({ probability: 0.5 })];
    const outcomes = (report: Report) => [...sessions(report).values()];
    const alone = outcomes(run(base, 20));
    // A later fault at another stage: per session it draws from fault:1 only, so the per-command draws
    // of the first fault (from the host's stream) are the same; per command it would take host draws.
    expect(outcomes(run([...base, { at: '0s', reply: { host: 'mx.example.org', on: 'data', code: 451, probability: 0, per: 'session' } }], 20))).toEqual(alone);
    expect(outcomes(run([...base, { at: '0s', reply: { host: 'mx.example.org', on: 'data', code: 451, probability: 0 } }], 20))).not.toEqual(alone);
  });

  it('per goes with probability; per: command is the default and changes nothing', () => {
    const errors = analyseScenarioObject(world([rcpt451({ times: 2, per: 'session' })]), 'per.yaml').errors;
    expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual([expect.stringMatching(/^faults\[0\]\.reply\.per: per goes with probability/)]);
    const explicit = run([rcpt451({ probability: 0.5, per: 'command' })], 10);
    expect(explicit.traceDigest).toBe(run([rcpt451({ probability: 0.5 })], 10).traceDigest);
  });
});
