/**
 * Shared inputs for the report tests: real runs of the scenario fixtures (with the trace kept) and a
 * small hand-made report whose strings are hostile (markup, table pipes, control characters).
 */
import { loadScenario } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import type { Report } from '../../src/report/types.js';

export interface FixtureRun {
  report: Report;
  events: TraceEvent[];
}

const cache = new Map<string, FixtureRun>();

/** Runs a fixture of test/scenario/fixtures once per test file, trace kept. */
export function runFixture(file: string): FixtureRun {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const { report, world } = runScenarioWorld(loadScenario(`test/scenario/fixtures/${file}`), { keepTrace: true });
  const run = { report, events: world.sim.trace.events };
  cache.set(file, run);
  return run;
}

export const hostileScript = '<script>document.body.setAttribute("data-pwned","yes")</script>';

/** A report plus trace in which every peer- or author-controlled string tries to inject markup. */
export function hostileRun(): FixtureRun {
  const report: Report = {
    format: 'mailsim-report/1',
    scenario: { name: `evil ${hostileScript}`, file: 'x|y.yaml', seed: 3, description: '<b>bold</b> | pipe' },
    passed: false,
    endedAtMs: 120_000,
    expectations: [{ expect: { delivered: `a@b.test${hostileScript}` }, passed: false, detail: `detail ${hostileScript}` }],
    invariants: [
      { name: 'no-loss', passed: true, detail: '' },
      { name: 'dsn-sanity', passed: true, detail: '' },
      { name: 'no-open-relay', passed: true, detail: '' },
    ],
    messages: [
      {
        id: 'm1',
        messageId: '<1@evil.test>',
        from: 'mallory@evil.test',
        subject: `<img src=x onerror="document.body.setAttribute('data-pwned','img')"> | subject`,
        submittedAtMs: 1000,
        dsn: false,
        about: null,
        recipients: [
          {
            address: 'bob@example.org',
            status: 'bounced',
            finalAtMs: 90_000,
            deliveries: [],
            hops: ['mua', 'mx.evil.test'],
            attempts: [
              { atMs: 2000, from: 'mx.evil.test', to: 'mx.example.org', address: '10.0.0.1', result: 'failed', reply: `550 5.1.1 ${hostileScript}`, conn: 'c1', tls: false },
            ],
            bounce: { atMs: 90_000, status: '5.1.1', reportingMta: 'mx.evil.test', diagnostic: `550 5.1.1 ${hostileScript}`, remoteMta: `mx.example.org${hostileScript}` },
            statusCode: '5.1.1',
            diagnostic: `550 5.1.1 ${hostileScript}`,
            remoteMta: `mx.example.org${hostileScript}`,
            reason: `550 5.1.1 ${hostileScript}`,
          },
        ],
      },
    ],
    fetches: [],
    faults: [{ index: 0, atMs: 0, untilMs: null, action: 'down', description: `<i>x</i> is down` }],
    warnings: [`warning ${hostileScript}`],
    stats: { events: 9, wallMs: 0, simulatedMs: 120_000 },
    traceDigest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
  };
  const events: TraceEvent[] = [
    { t: 0, kind: 'net.host', host: 'mx.example.org', address: '10.0.0.1' },
    { t: 2000, kind: 'net.connect', conn: 'c1', from: 'mx.evil.test', to: '10.0.0.1', port: 25, latencyMs: 20, flakyDrop: false },
    { t: 2020, kind: 'net.accept', conn: 'c1', host: 'mx.example.org', port: 25 },
    { t: 2020, kind: 'net.send', conn: 'c1', from: 'mx.example.org', side: 'server', bytes: 0, text: `220 ${hostileScript}\r\n` },
    { t: 2040, kind: 'net.send', conn: 'c1', from: 'mx.evil.test', side: 'client', bytes: 0, text: `EHLO </svg><script>alert(1)</script>\x00\x1b\r\n` },
    { t: 2060, kind: 'net.send', conn: 'c1', from: 'mx.example.org', side: 'server', bytes: 0, text: `550 5.1.1 ${hostileScript}\r\n` },
    { t: 2080, kind: 'net.close', conn: 'c1', host: 'mx.example.org', reason: 'closed' },
    { t: 2090, kind: 'dns.answer', host: 'mx.evil.test', name: '<script>x</script>.test', type: 'MX', rcode: 'NOERROR', answers: `10:${hostileScript}`, chain: 0, ttlMs: 1, fromCache: false },
  ];
  return { report, events };
}
