/**
 * Dead-destination suspension end to end (docs/delivery.md R14; Postfix qmgr_queue_throttle): ten
 * messages for one destination whose only MX refuses connections. After a pseudo-cohort of failed
 * deliveries the sending queue marks the destination dead and defers the rest without connecting
 * (`suspended` attempts, "delivery temporarily suspended: connect to …: Connection refused"); a lone
 * message never triggers it. `deadDestinationViolations` states what must hold, and is shown to
 * catch a queue without suspension (`failed-cohorts: 0`, the planted bug).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runner/run.js';
import type { Report, ReportAttempt } from '../../src/report/types.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { rowsOfReport } from '../../src/sweep/rows.js';
import { attemptGroups } from 'mailsim/testing';
import { runWorld } from '../properties/harness.js';

const sender = 'smtp.sender.net';

function world(messages: number, queue: Record<string, unknown> = {}) {
  return {
    name: 'one destination refusing for 30 minutes',
    until: '2h',
    network: { latency: '20ms' },
    dns: {
      'sender.net': { mx: ['10 smtp.sender.net'] },
      'example.org': { mx: ['10 mx1.example.org'] },
    },
    hosts: {
      [sender]: { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' }, queue },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: Object.fromEntries(Array.from({ length: messages }, (_, k) => [`u${k + 1}`, 'pw'])) },
    },
    faults: [{ at: '0s', until: '30m', refuse: 'mx1.example.org' }],
    traffic: Array.from({ length: messages }, (_, k) => ({ at: '1m', send: { from: 'alice@sender.net', to: `u${k + 1}@example.org`, subject: `m${k + 1}`, body: 'Hello' } })),
  };
}

const relayAttempts = (report: Report): ReportAttempt[] =>
  report.messages.filter((m) => !m.dsn).flatMap((m) => m.recipients.flatMap((r) => r.attempts.filter((a) => a.from === sender)));

/** What R14 asks of ten messages to a dead destination; empty when it holds. */
function deadDestinationViolations(report: Report): string[] {
  const attempts = relayAttempts(report);
  const suspended = attempts.filter((a) => a.result === 'suspended');
  const connections = attempts.length - suspended.length;
  const problems: string[] = [];
  if (suspended.length === 0) problems.push('no attempt was suspended: every attempt connected to the dead destination');
  for (const a of suspended) {
    if (a.to !== 'example.org' || a.address !== '' || a.conn !== '') problems.push(`a suspended attempt names a connection: ${JSON.stringify(a)}`);
    if (!/^delivery temporarily suspended: connect to mx1\.example\.org\[[\d.]+\]:25: Connection refused$/.test(a.reply ?? '')) problems.push(`suspended with reason ${a.reply}`);
  }
  if (connections >= attempts.length) problems.push(`${connections} connections for ${attempts.length} attempts`);
  return problems;
}

describe('dead-destination suspension (R14)', () => {
  it('ten messages to a refusing destination: some attempts are suspended without a connection, and all are delivered once it is back', async () => {
    const report = await runScenario(world(10));
    expect(deadDestinationViolations(report)).toEqual([]);
    const attempts = relayAttempts(report);
    const suspended = attempts.filter((a) => a.result === 'suspended').length;
    // Five of ten connect in each retry round, the other five are suspended (Postfix: 5 at once, dead after a cohort).
    expect(suspended).toBeGreaterThanOrEqual(10);
    expect(attempts.length - suspended).toBeLessThan(attempts.length - 5);
    for (const message of report.messages.filter((m) => !m.dsn)) expect(message.recipients[0]!.status).toBe('delivered');
  });

  it('the reports show it: the Markdown attempts column counts suspended ones, the sweep counts connections only', async () => {
    const report = await runScenario(world(10));
    const markdown = renderMarkdown(report);
    expect(markdown).toMatch(/\d+ suspended/);
    const rows = rowsOfReport({ run: 0, point: 0, params: {}, seed: 1 }, report);
    const connections = relayAttempts(report).filter((a) => a.result !== 'suspended').length;
    const hopAttempts = report.messages.filter((m) => !m.dsn).reduce((sum, m) => sum + m.recipients[0]!.attempts.filter((a) => a.from !== sender).length, 0);
    expect(rows.run.attempts).toBe(connections + hopAttempts);
  });

  it('a lone message is never suspended, however often it is refused', async () => {
    const report = await runScenario(world(1));
    const attempts = relayAttempts(report);
    expect(attempts.length).toBeGreaterThan(3);
    expect(attempts.filter((a) => a.result === 'suspended')).toEqual([]);
  });

  it('the delivery properties see connections only: a suspended attempt is in no MX-order group (M4, R6 checks)', () => {
    const run = runWorld(world(10));
    expect(relayAttempts(run.report).some((a) => a.result === 'suspended')).toBe(true);
    const tried = attemptGroups(run.world.sim.trace.events).flatMap((group) => group.connections.map((c) => c.to));
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.filter((to) => to !== 'mx1.example.org')).toEqual([]);
  });

  it('planted bug: a queue that never marks a destination dead (failed-cohorts: 0) is caught', async () => {
    const report = await runScenario(world(10, { 'failed-cohorts': 0 }));
    expect(deadDestinationViolations(report)).toContain('no attempt was suspended: every attempt connected to the dead destination');
  });
});
