/** The package's library API, imported by its name as a user would (docs/reference.md §10, §11). */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, ScenarioError, validateScenarioObject } from 'mailsim';

describe("import … from 'mailsim'", () => {
  it('loadScenario + runScenario return the report of docs/reference.md §9', async () => {
    const report = await runScenario(loadScenario('scenarios/backup-mx.yaml'), { seed: 3 });
    expect(report.format).toBe('mailsim-report/1');
    expect(report.scenario.seed).toBe(3);
    expect(report.passed).toBe(true);
    expect(report.traceDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(report.stats.wallMs).toBeGreaterThanOrEqual(0);
  });

  it('runScenario accepts a plain object of the YAML shape', async () => {
    const report = await runScenario({
      name: 'plain object',
      dns: { 'example.org': { mx: ['10 mx.example.org'] }, 'sender.net': { mx: ['10 smtp.sender.net'] } },
      hosts: {
        'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' } },
        'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
      },
      traffic: [{ at: '1s', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'hi' } }],
      expect: [{ delivered: 'bob@example.org', within: '1m' }],
    });
    expect(report.passed).toBe(true);
    expect(report.messages[0]?.recipients[0]?.status).toBe('delivered');
  });

  it('a bad plain object throws a ScenarioError naming the key path', () => {
    expect(() => validateScenarioObject({ name: 'x', hosts: { h: { roles: ['mtx'] } } })).toThrow(ScenarioError);
    try {
      validateScenarioObject({ name: 'x', hosts: { h: { roles: ['mtx'] } } });
    } catch (error) {
      expect((error as ScenarioError).errors[0]?.path).toBe('hosts.h.roles[0]');
    }
  });
});
