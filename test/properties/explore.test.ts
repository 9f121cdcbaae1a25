/**
 * `mailsim explore` (docs/reference.md §13), end to end through the real command: the README example (a
 * connection lost after the final dot duplicates mail, RFC 1047 / docs/delivery.md E3, shrunk to one or
 * two faults, replayed by `mailsim run` with exit 1), a search that finds nothing (exit 0, progress on
 * stderr without ANSI), bad input (exit 2), and `--seed` repeating a search exactly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { explore } from '../../src/explore/explore.js';
import { faultKindNames } from '../../src/testing/arbitraries/schedule.js';
import { builtInCheckNamed } from 'mailsim/testing';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';

const root = join(import.meta.dirname, '..', '..');
const twoMx = join(root, 'scenarios', 'two-mx.yaml');

function mailsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'mailsim.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A test here starts the real command up to four times in a row (spawnSync, tsx compiling the sources
 * at each start): 5-7 s per start on a busy 2-CPU machine, 30 s for the bad-input test, half of the
 * default minute. Three minutes leaves room for a slower machine; a hang still fails.
 */
const commandTestTimeoutMs = 180_000;

describe('mailsim explore (§13)', { timeout: commandTestTimeoutMs }, () => {
  it('scenarios/two-mx.yaml passes by itself (what `mailsim run` checks)', () => {
    expect(runScenarioWorld(loadScenario(twoMx)).report.passed).toBe(true);
  });

  it('README example: --check no-duplicates finds the RFC 1047 duplicate, shrinks it to one or two faults, and `mailsim run` replays it (exit 1)', () => {
    const out = mkdtempSync(join(tmpdir(), 'mailsim-explore-'));
    const result = mailsim('explore', twoMx, '--check', 'no-duplicates', '--seed', '2', '--out', out);
    expect(result.status).toBe(1);
    const file = join(out, 'two-mx.counterexample.yaml');
    expect(result.stdout).toContain(file);
    expect(result.stdout).toMatch(/no-duplicates: m\d+ <[^>]+> → bob@example\.org landed \d+ times/);
    expect(result.stderr).toContain('seed 2');
    expect(result.stderr).not.toMatch(/\u001b\[/);
    const counterexample = parse(readFileSync(file, 'utf8')) as { faults: Array<Record<string, unknown>>; hosts: Record<string, unknown>; traffic: unknown[] };
    expect(counterexample.faults.length).toBeGreaterThanOrEqual(1);
    expect(counterexample.faults.length).toBeLessThanOrEqual(2);
    expect(counterexample.faults.some((f) => (f.drop as { after?: string } | undefined)?.after === 'dot')).toBe(true);
    expect(Object.keys(counterexample.hosts)).toEqual(['smtp.sender.net', 'mx1.example.org', 'mx2.example.org']);
    const replay = mailsim('run', file, '--out', out);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/landing\(s\) in total, expected exactly 1/);
  });

  it('exit 0 when nothing breaks, with progress on stderr', () => {
    const out = mkdtempSync(join(tmpdir(), 'mailsim-explore-'));
    const result = mailsim('explore', twoMx, '--faults', 'latency', '--runs', '5', '--seed', '3', '--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/nothing broke in 5 runs \(seed 3\)/);
    expect(result.stderr).toMatch(/run 1\/5/);
  });

  it('exit 2 on bad input: unknown --faults / --check names, a bad file (located)', () => {
    const faults = mailsim('explore', twoMx, '--faults', 'down,meteor');
    expect(faults.status).toBe(2);
    expect(faults.stderr).toMatch(/--faults: unknown name "meteor"; choose from down, up, refuse/);
    const check = mailsim('explore', twoMx, '--check', 'no-dupes');
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(/--check: unknown name "no-dupes"; choose from expect, invariants, no-duplicates/);
    const bad = mailsim('explore', join(root, 'test', 'scenario', 'fixtures', 'broken-many.yaml'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/broken-many\.yaml:\d+:\d+: /);
    expect(mailsim('explore', twoMx, '--runs', 'many').status).toBe(2);
  });

  it('--seed repeats a search exactly', () => {
    const base = parse(readFileSync(twoMx, 'utf8')) as Record<string, unknown>;
    const search = () => explore(base, twoMx, { runs: 60, seed: 2, kinds: faultKindNames, checks: [builtInCheckNamed('no-duplicates')] });
    const first = search();
    const second = search();
    expect(first.counterexample).not.toBeNull();
    expect(second.runsDone).toBe(first.runsDone);
    expect(second.counterexample?.faults).toEqual(first.counterexample?.faults);
    expect(second.counterexample?.report.traceDigest).toBe(first.counterexample?.report.traceDigest);
  });
});
