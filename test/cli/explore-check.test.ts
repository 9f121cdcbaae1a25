/**
 * `mailsim explore --check` (docs/reference.md §13) through the real command: built-in checks by their
 * kebab-case names; a module of the user's own (a TypeScript default export `(run) => string[]`) that
 * finds a planted property and shrinks it to one fault; a module check that throws, reported as that
 * check's failure with its stack and shrunk like any other; and modules that cannot serve — a syntax
 * error, no check exported, no such file — one clear line each and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const twoMx = join(root, 'scenarios', 'two-mx.yaml');
const fixtures = join(import.meta.dirname, 'fixtures');

function mailsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'mailsim.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Each test starts the real command once or a few times (tsx compiles the sources at each start: seconds on a busy machine). */
const commandTestTimeoutMs = 180_000;

const faultsOf = (file: string) => (parse(readFileSync(file, 'utf8')) as { faults: Array<Record<string, unknown>> }).faults;

describe('mailsim explore --check', { timeout: commandTestTimeoutMs }, () => {
  it('takes the built-in checks by their kebab-case names', () => {
    const out = mkdtempSync(join(tmpdir(), 'mailsim-explore-check-'));
    const result = mailsim('explore', twoMx, '--check', 'no-loss,delivered-or-bounced,no-duplicates,mx-order,retry-schedule,bounce-well-formed,no-open-relay,no-backscatter-loop,at-least-once', '--faults', 'latency,down', '--runs', '5', '--seed', '3', '--out', out);
    expect(result.stderr).toMatch(/checks no-loss,delivered-or-bounced,no-duplicates,mx-order/);
    expect(result.stdout).toMatch(/nothing broke in 5 runs \(seed 3\)/);
    expect(result.status).toBe(0);
  });

  it('a module check of the user own finds the planted property and shrinks it to one fault', () => {
    const out = mkdtempSync(join(tmpdir(), 'mailsim-explore-check-'));
    const result = mailsim('explore', twoMx, '--check', 'test/cli/fixtures/via-primary.ts', '--faults', 'down,latency', '--seed', '1', '--out', out);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/via-primary\.ts: m1 → bob@example\.org went through the backup: smtp\.sender\.net → mx2\.example\.org → mx1\.example\.org/);
    expect(result.stdout).toMatch(/re-check with runMail\(FILE\)/);
    expect(result.stdout).not.toMatch(/the replay did not fail/);
    const faults = faultsOf(join(out, 'two-mx.counterexample.yaml'));
    expect(faults).toHaveLength(1);
    expect(faults[0]!.down).toBe('mx1.example.org');
  });

  it('a module check that throws is that check failure, with its stack, shrunk like any other', () => {
    const out = mkdtempSync(join(tmpdir(), 'mailsim-explore-check-'));
    const result = mailsim('explore', twoMx, '--check', join(fixtures, 'throws-on-faults.ts'), '--faults', 'latency,down', '--seed', '4', '--out', out);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/throws-on-faults: the check threw: Error: boom from the check: 1 fault\(s\)\n\s+at /);
    expect(result.stdout).toMatch(/shrunk to 1 fault\(s\)/);
    expect(faultsOf(join(out, 'two-mx.counterexample.yaml'))).toHaveLength(1);
  });

  it('a JavaScript module works too; modules that cannot serve are bad input, one clear line each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailsim-check-modules-'));
    writeFileSync(join(dir, 'ok.mjs'), 'export default (run) => (run.report.messages.length === 1 ? [] : ["not one message"]);\n');
    writeFileSync(join(dir, 'broken.ts'), 'export default (run => [;\n');
    writeFileSync(join(dir, 'nothing.js'), 'export const answer = 42;\n');
    const ok = mailsim('explore', twoMx, '--check', `expect,${join(dir, 'ok.mjs')}`, '--faults', 'latency', '--runs', '3', '--seed', '3', '--out', dir);
    expect(ok.stderr).toMatch(/checks expect,ok\.mjs/);
    expect(ok.status).toBe(0);
    const broken = mailsim('explore', twoMx, '--check', join(dir, 'broken.ts'));
    expect(broken.status).toBe(2);
    expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mailsim explore: --check .*broken\.ts: the module failed to load: /)]);
    const nothing = mailsim('explore', twoMx, '--check', join(dir, 'nothing.js'));
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/^mailsim explore: --check .*nothing\.js: the module exports no check; export default \(or export as "check"\) a MailCheck or a function \(run\) => string\[\]\n$/);
    const missing = mailsim('explore', twoMx, '--check', './no-such-check.ts');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('mailsim explore: --check ./no-such-check.ts: no such file\n');
  });
});
