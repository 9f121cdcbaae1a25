/**
 * An attempt names its connection (`conn`, the id of the `net.*` events of the session it opened) and
 * whether that session ran over TLS, so the HTML report links each attempt to its own session by id.
 * Joining on (sending host, address, start time) instead links two attempts that start in the same
 * millisecond from one host to one address to the same session: the world below does that on purpose.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { loadScenario, parseScenarioText } from '../../src/scenario/load.js';
import type { TraceEvent } from '../../src/sim/trace.js';

/** Two messages submitted in the same millisecond: the MTA relays both at once, on two connections. */
const twoAtOnce = `
name: two at once
seed: 3
until: 1h
dns:
  sender.net: { mx: ["10 smtp.sender.net"] }
  example.org: { mx: ["10 mx1.example.org"] }
hosts:
  smtp.sender.net: { roles: [msa, mta, mda], domains: [sender.net], users: { alice: secret } }
  mx1.example.org: { roles: [mta, mda], domains: [example.org], users: { bob: hunter2 } }
traffic:
  - { at: 1m, send: { from: alice@sender.net, to: bob@example.org, subject: First } }
  - { at: 1m, send: { from: alice@sender.net, to: bob@example.org, subject: Second } }
`;

function run(scenario: Parameters<typeof runScenarioWorld>[0]) {
  const { report, world } = runScenarioWorld(scenario, { keepTrace: true });
  return { report, events: world.sim.trace.events };
}

/** Each attempt's conn must be the connection it started: from its host, to its address, at its start. */
function attemptConnectionProblems(events: readonly TraceEvent[]): string[] {
  const connects = new Map(events.filter((e) => e.kind === 'net.connect').map((e) => [e.conn, e]));
  const secured = new Set(events.filter((e) => e.kind === 'net.tls').map((e) => `${e.conn} ${e.host}`));
  const problems: string[] = [];
  for (const attempt of events.filter((e) => e.kind === 'mail.attempt')) {
    const connect = connects.get(attempt.conn as string);
    if (connect === undefined || connect.from !== attempt.from || connect.to !== attempt.address || connect.t !== attempt.atMs) problems.push(`${JSON.stringify(attempt)} is not its connection's`);
    if (attempt.tls !== secured.has(`${attempt.conn} ${attempt.from}`)) problems.push(`${JSON.stringify(attempt)}: tls says otherwise than the trace`);
  }
  return problems;
}

describe('attempts and their sessions', () => {
  it('every attempt in the trace names the connection it opened, and says whether it was TLS', () => {
    const files = [...readdirSync('scenarios').map((f) => `scenarios/${f}`), 'test/scenario/fixtures/everything.yaml'];
    let attempts = 0;
    let tls = 0;
    for (const file of files) {
      const { events } = run(loadScenario(file));
      expect(attemptConnectionProblems(events), file).toEqual([]);
      attempts += events.filter((e) => e.kind === 'mail.attempt').length;
      tls += events.filter((e) => e.kind === 'mail.attempt' && e.tls === true).length;
    }
    // Both kinds occur: STARTTLS sessions, and connections that failed or ran in the clear.
    expect(tls).toBeGreaterThan(0);
    expect(attempts).toBeGreaterThan(tls);
  });

  it('the JSON report carries them as they are', () => {
    const { report, events } = run(parseScenarioText(twoAtOnce, 'two-at-once.yaml'));
    const fromReport = report.messages.flatMap((m) => m.recipients.flatMap((r) => r.attempts.map((a) => `${a.conn} ${a.tls}`)));
    const fromTrace = events.filter((e) => e.kind === 'mail.attempt').map((e) => `${e.conn} ${e.tls}`);
    expect(fromReport.sort()).toEqual(fromTrace.sort());
  });

  it('the HTML report links each attempt to its own session, even when two start together', () => {
    const { report, events } = run(parseScenarioText(twoAtOnce, 'two-at-once.yaml'));
    const attempts = report.messages.flatMap((m) => m.recipients.flatMap((r) => r.attempts.map((a) => ({ subject: m.subject, ...a }))));
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts as [(typeof attempts)[0], (typeof attempts)[0]];
    // The case a (host, address, time) join gets wrong: same host, same address, same millisecond.
    expect([second.from, second.address, second.atMs]).toEqual([first.from, first.address, first.atMs]);
    expect(second.conn).not.toBe(first.conn);

    const html = renderHtml(report, events);
    for (const attempt of attempts) {
      const journey = html.slice(html.indexOf(`data-testid="journey-${report.messages.find((m) => m.subject === attempt.subject)!.id}"`));
      const lane = journey.slice(0, journey.indexOf('</section>'));
      expect(lane).toContain(`<a href="#session-${attempt.conn}"><circle class="mark attempt result-accepted"`);
      expect(lane).toContain(`<a href="#session-${attempt.conn}">${attempt.conn}</a> TLS`);
      const transcript = events.filter((e) => e.kind === 'net.send' && e.conn === attempt.conn).map((e) => String(e.text)).join('');
      expect(transcript).toContain(`Subject: ${attempt.subject}`);
    }
  });
});
