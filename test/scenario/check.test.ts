/** `mailsim check`'s core: per-file results, ok only when no file has an error (exit 0 / 2). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExitCode, checkScenarioFiles, formatCheckFileResult } from '../../src/scenario/check.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

describe('checkScenarioFiles', () => {
  it('valid files: ok, exit 0', () => {
    const result = checkScenarioFiles([fixture('primary-mx-down.yaml'), fixture('everything.yaml'), fixture('smarthost.json')]);
    expect(result.ok).toBe(true);
    expect(checkExitCode(result)).toBe(0);
    expect(result.results.map((r) => [r.errors.length, r.warnings.length])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(formatCheckFileResult(result.results[0]!)).toEqual([`${fixture('primary-mx-down.yaml')}: ok`]);
  });

  it('one broken file among good ones: not ok, exit 2, every file still checked', () => {
    const files = [fixture('primary-mx-down.yaml'), fixture('broken-many.yaml'), fixture('broken-references.yaml'), fixture('missing.yaml')];
    const result = checkScenarioFiles(files);
    expect(result.ok).toBe(false);
    expect(checkExitCode(result)).toBe(2);
    expect(result.results.map((r) => r.file)).toEqual(files);
    expect(result.results.map((r) => r.errors.length)).toEqual([0, 12, 7, 1]);
    expect(result.results[2]!.warnings).toHaveLength(5);
    const lines = formatCheckFileResult(result.results[1]!);
    expect(lines[0]).toBe(`${fixture('broken-many.yaml')}:2:7: seed: expected a whole number, 0 or more; got "seven"`);
  });

  it('warnings alone do not fail a check', () => {
    const result = checkScenarioFiles([fixture('warnings-only.yaml')]);
    expect(result.ok).toBe(true);
    expect(formatCheckFileResult(result.results[0]!)).toEqual([
      `${fixture('warnings-only.yaml')}:3:45: warning: dns.example.org.mx[1]: the MX target mx2.example.org is not a host and has no address record; connections to it will fail`,
      `${fixture('warnings-only.yaml')}: ok (1 warning)`,
    ]);
  });
});
