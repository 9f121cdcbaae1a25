import { describe, expect, it } from 'vitest';
import { runMail, scenarioObjectOf } from 'mailsim/testing';

describe('runMail', () => {
  it('runs a scenario file with its trace kept and its plain object as source', () => {
    const run = runMail('scenarios/backup-mx.yaml');
    expect(run.report.passed).toBe(true);
    expect(run.trace.length).toBeGreaterThan(0);
    expect(run.trace.length).toBe(run.world.sim.trace.count);
    expect(run.source).toEqual(scenarioObjectOf('scenarios/backup-mx.yaml'));
  });

  it('refuses a broken scenario object with its located message, before running', () => {
    expect(() => runMail({ name: 'x', hosts: 3 }, { sourceName: 'mine.yaml' })).toThrow(/mine\.yaml.*hosts/s);
  });
});
