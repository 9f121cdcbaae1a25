/**
 * Sweep files are checked like scenario files (src/sweep/load.ts): every problem at file:line:column
 * with its key path, before anything runs — the sweep's own keys, the pointers, and each value against
 * the scenario schema, placed at that value in the sweep file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SweepError } from '../../src/sweep/errors.js';
import { loadSweep, parseSweepText } from '../../src/sweep/load.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-sweep-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const backupMx = join(root, 'scenarios', 'backup-mx.yaml');

/** The problems of a sweep text, formatted as the CLI prints them. */
function problems(text: string): string[] {
  try {
    parseSweepText(text, join(dir, 'bad.yaml'));
  } catch (error) {
    if (error instanceof SweepError) return error.format().map((line) => line.replace(`${dir}/`, ''));
    throw error;
  }
  return [];
}

const base = `scenario: ${backupMx}\nseeds: 3\n`;

describe('loading a sweep file', () => {
  it('expands a grid: vary dimensions in file order, a zip group moving together, the last fastest', () => {
    const sweep = parseSweepText(`${base}vary:\n  /faults/0/until: [10m, 1h]\nzip:\n  - /faults/0/at: [0s, 1m, 2m]\n    /network/latency: [10ms, 20ms, 30ms]\n`, join(dir, 'ok.yaml'));
    expect(sweep.points).toBe(6);
    expect(sweep.runs).toBe(18);
    expect(sweep.seeds).toEqual([1, 2, 3]);
    expect(sweep.parameters).toEqual(['/faults/0/until', '/faults/0/at', '/network/latency']);
    expect(sweep.within).toEqual([{ label: '1h', ms: 3_600_000 }, { label: '1d', ms: 86_400_000 }]);
    expect(sweep.name).toBe('ok');
  });

  it('gives the same hash for the same content, another for another', () => {
    const a = parseSweepText(`${base}vary:\n  /faults/0/until: [10m, 1h]\n`, join(dir, 'a.yaml'));
    const b = parseSweepText(`# a comment\n${base}vary: { /faults/0/until: [10m, 1h] }\n`, join(dir, 'a.yaml'));
    const c = parseSweepText(`${base}vary:\n  /faults/0/until: [10m, 2h]\n`, join(dir, 'a.yaml'));
    expect(a.sweepHash).toBe(b.sweepHash);
    expect(a.sweepHash).not.toBe(c.sweepHash);
  });

  it('locates a mistyped key, a bad pointer and an unknown measure with did-you-mean', () => {
    expect(problems(`${base}vary:\n  faults/0/until: [1h]\nmeasure:\n  bootstrp: 100\n`)).toEqual([
      'bad.yaml:4:3: vary.faults/0/until: expected a JSON Pointer such as /faults/0/until (RFC 6901: it starts with "/"); got "faults/0/until"',
      'bad.yaml:6:3: measure.bootstrp: unknown key "bootstrp"; did you mean "bootstrap"?',
    ]);
    expect(problems(`${base}varry:\n  /faults/0/until: [1h]\n`)[0]).toMatch(/^bad\.yaml:3:1: varry: unknown key "varry"; did you mean "vary"\?/);
  });

  it('places a value the scenario refuses at that value, with the scenario\'s reason', () => {
    expect(problems(`${base}vary:\n  /faults/0/until: [10m, 2x]\n  /faults/0/down: [mx1.example.org, mx9.example.org]\n`)).toEqual([
      'bad.yaml:4:26: vary./faults/0/until[1]: the scenario refuses this value of /faults/0/until: faults[0].until: unknown time unit "x" in "2x": expected a duration such as 250ms, 30s, 5m, 4h, 5d or 1h30m (units ms, s, m, h, d, w; a bare number is milliseconds)',
      'bad.yaml:5:37: vary./faults/0/down[1]: the scenario refuses this value of /faults/0/down: faults[0].down: the host mx9.example.org is not defined in hosts (did you mean mx1.example.org?)',
    ]);
  });

  it('refuses a pointer that names nothing settable, a pointer varied twice, unequal zip lists and an empty grid', () => {
    expect(problems(`${base}vary:\n  /faults/4/until: [1h]\n`)).toEqual(['bad.yaml:4:3: vary./faults/4/until: /faults/4/until: /faults has 1 item: there is no index 4']);
    expect(problems(`${base}vary:\n  /hosts/smtp.sendr.net/queue: [{}]\n`)[0]).toMatch(/did you mean "smtp\.sender\.net"/);
    expect(problems(`${base}vary:\n  /seed: [1]\nzip:\n  - /seed: [2]\n`)[0]).toMatch(/^bad\.yaml:6:5: zip\[0\]\./);
    expect(problems(`${base}zip:\n  - /faults/0/at: [0s, 1m]\n    /faults/0/until: [1h]\n`)).toEqual([
      'bad.yaml:4:5: zip[0]: the lists of a zip group move together, so they need one length; got /faults/0/at: 2, /faults/0/until: 1',
    ]);
    expect(problems(`${base}vary: {}\n`)).toEqual(['bad.yaml:3:7: vary: an empty grid: vary names no pointer (leave vary: out to run the scenario as it is over the seeds)']);
    expect(problems(`${base}vary:\n  /faults/0/until: []\n`)[0]).toMatch(/^bad\.yaml:4:20: vary\.\/faults\/0\/until: give at least one value/);
  });

  it('reports an unreadable scenario at the scenario key, and the base scenario\'s own errors in its file', () => {
    expect(problems('scenario: nowhere.yaml\nseeds: 2\n')[0]).toMatch(/^bad\.yaml:1:11: scenario: cannot read the scenario file .*nowhere\.yaml: no such file/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: x\nhosts:\n  a.example: { roles: [mtaa] }\n');
    expect(problems(`scenario: broken.yaml\nseeds: 2\n`)[0]).toMatch(/broken\.yaml:3:24: hosts\.a\.example\.roles\[0\]: .*mta/);
    expect(problems('scenario:\n  name: inline\n  hosts:\n    a.example: { roles: [mtaa] }\nseeds: 2\n')[0]).toMatch(/^bad\.yaml:4:26: scenario\.hosts\.a\.example\.roles\[0\]/);
  });

  it('reads a file from disk and says when it cannot', () => {
    const file = join(dir, 'disk.yaml');
    writeFileSync(file, `scenario: ${backupMx}\nseeds: [5, 9]\n`);
    expect(loadSweep(file)).toMatchObject({ points: 1, runs: 2, seeds: [5, 9] });
    expect(() => loadSweep(join(dir, 'missing.yaml'))).toThrow(/cannot read the sweep file: no such file/);
  });
});
