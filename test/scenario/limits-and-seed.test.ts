/**
 * Two rules of the loader that a user meets with odd input: text nested deeper than `yamlDepthMax`
 * is refused with its location (it used to end in "YAML syntax error: Maximum call stack size
 * exceeded"), and a seed is one rule whether it comes from `seed:` in a file, `--seed` on the command
 * line or `runScenario`'s options (the command line used to take -1).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_OK, runCommand } from '../../src/cli/run-command.js';
import { analyseScenarioText, validateScenarioObject } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import { firstTooDeepOffset, yamlDepthMax } from '../../src/scenario/yaml-depth.js';

const deepFlow = `name: x\nhosts: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
const deepBlock = `name: x\nhosts:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 2)}a${i}:`).join('\n')} 1\n`;
const deepSequence = `name: x\nhosts:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(2 * i + 2)}- `).join('\n')}x\n`;
const deepJson = `{"name": "x", "hosts": ${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`;

describe(`nesting deeper than ${yamlDepthMax} levels`, () => {
  it.each([
    ['flow brackets', deepFlow, 2, 8 + yamlDepthMax - 1],
    // The document's own mapping is level 1; line 3 opens level 2, so level yamlDepthMax + 1 is on line yamlDepthMax + 2.
    ['block mappings', deepBlock, yamlDepthMax + 2, yamlDepthMax + 2],
    ['block sequences', deepSequence, yamlDepthMax + 2, 2 * yamlDepthMax + 1],
    ['JSON objects', deepJson, 1, null],
  ])('%s: one located error, no stack overflow', (_name, text, line, column) => {
    const { errors, scenario } = analyseScenarioText(text, 'deep.yaml');
    expect(scenario).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'deep.yaml', line, message: expect.stringMatching(new RegExp(`^nested deeper than ${yamlDepthMax} levels`)) });
    if (column !== null) expect(errors[0]!.column).toBe(column);
    expect(errors[0]!.message).not.toMatch(/call stack/);
  });

  it('the limit itself is allowed, one more is not', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(firstTooDeepOffset(nested(yamlDepthMax))).toBeNull();
    expect(firstTooDeepOffset(nested(yamlDepthMax + 1))).toBe(yamlDepthMax);
  });

  it('an ordinary scenario is far below it', () => {
    expect(analyseScenarioText('name: x\nhosts: { a.example: { roles: [mta] } }\n', 'ok.yaml').errors).toEqual([]);
  });

  it('a deep plain object gets ordinary key errors, not a crash', () => {
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i++) value = { a: value };
    expect(() => validateScenarioObject({ name: 'x', hosts: value })).toThrow(/unknown key "a"/);
  });
});

describe('one rule for the seed', () => {
  const scenario = 'scenarios/null-mx.yaml';
  const out = mkdtempSync(join(tmpdir(), 'mailsim-seed-'));

  it.each(['-1', '1.5', 'abc', '9007199254740992', ''])('--seed %j is refused as seed: in a file is (exit 2)', (seed) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(runCommand([scenario], { seed, out })).toBe(EXIT_BAD_INPUT);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/--seed takes a whole number from 0 to 9007199254740991/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('seed: -1 in a file gets the same rule', () => {
    expect(() => validateScenarioObject({ name: 'x', seed: -1, hosts: { 'a.example': {} } })).toThrow(/seed: expected a whole number, 0 or more/);
  });

  it('limits.line-length takes 0 (never fold) or 2 and more, not 1 (the fold\'s own space would fill the line)', () => {
    const withLength = (octets: number) => ({ name: 'x', hosts: { 'a.example': { limits: { 'line-length': octets } } } });
    expect(() => validateScenarioObject(withLength(1))).toThrow(/line-length: expected 0 \(never fold\) or a whole number from 2/);
    expect(() => validateScenarioObject(withLength(0))).not.toThrow();
    expect(() => validateScenarioObject(withLength(78))).not.toThrow();
  });

  it('--seed 0 and the largest seed are taken', () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(runCommand([scenario], { seed: '0', out })).toBe(EXIT_OK);
      expect(runCommand([scenario], { seed: String(Number.MAX_SAFE_INTEGER), out })).toBe(EXIT_OK);
    } finally {
      stdout.mockRestore();
    }
  });

  it('runScenario refuses a seed the file could not have', async () => {
    await expect(runScenario('scenarios/null-mx.yaml' as unknown as object, { seed: -1 })).rejects.toThrow();
    const plain = { name: 'x', hosts: { 'a.example': {} } };
    await expect(runScenario(plain, { seed: -1 })).rejects.toThrow(/seed must be a whole number from 0/);
  });
});
