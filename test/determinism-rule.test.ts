/**
 * docs/architecture.md rule 1: only the kernel knows the time. Nothing under src/ except src/bridge/ and the
 * CLI entry may read the wall clock, use timers or draw unseeded randomness. Biome's
 * noRestrictedGlobals catches the globals (Date, setTimeout, performance …); this test catches the
 * member and import forms a global-name rule cannot see (Math.random, crypto.randomBytes,
 * node:timers), and the sans-IO rule that protocol machines import no I/O module.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const exempt = (rel: string) => rel.startsWith('src/bridge/') || rel === 'src/cli.ts' || rel.startsWith('src/cli/');

const wallClockOrRandom: Array<[string, RegExp]> = [
  ['Math.random', /\bMath\.random\b/],
  ['Date', /\bDate\.now\b|\bnew Date\b/],
  ['performance.now', /\bperformance\.now\b/],
  ['timers', /\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/],
  ['crypto randomness', /\b(randomBytes|randomUUID|randomInt|getRandomValues|randomFill(Sync)?)\b/],
  ['node:timers import', /from\s+['"](node:)?timers(\/promises)?['"]/],
  ['process.hrtime', /\bprocess\.hrtime\b/],
];

/** Strips comments so prose may mention the forbidden names. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('determinism rule (docs/architecture.md rule 1)', () => {
  const files = sourceFiles(join(root, 'src')).map((path) => ({ path, rel: relative(root, path) }));

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('no wall clock, timers or unseeded randomness outside src/bridge and the CLI', () => {
    const hits: string[] = [];
    for (const { path, rel } of files) {
      if (exempt(rel)) continue;
      const lines = code(readFileSync(path, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const [what, re] of wallClockOrRandom) if (re.test(line)) hits.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('the checker itself catches a planted violation', () => {
    const planted = code('const x = Math.random();\n// Math.random in a comment is fine\n');
    expect(wallClockOrRandom.some(([, re]) => re.test(planted.split('\n')[0]!))).toBe(true);
    expect(wallClockOrRandom.some(([, re]) => re.test(planted.split('\n')[1]!))).toBe(false);
  });

  it('protocol machines are sans-IO: no node:net, node:tls, node:dns, node:dgram or timers under src/protocols', () => {
    const io = /from\s+['"](node:)?(net|tls|dns|dgram|timers|http|https)(\/[a-z]+)?['"]/;
    const hits = files
      .filter(({ rel }) => rel.startsWith('src/protocols/'))
      .filter(({ path }) => io.test(code(readFileSync(path, 'utf8'))))
      .map(({ rel }) => rel);
    expect(hits).toEqual([]);
  });
});
