/**
 * The JSON report validates against a JSON Schema of docs/reference.md §9 (fixtures/report.schema.json:
 * every field §9 names, its type, and the status/result enums), checked with zod's JSON Schema
 * reader. Mutated reports must fail, so the schema is known to check what it claims.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderJson } from '../../src/report/write.js';
import { runFixture } from './helpers.js';

const schema = z.fromJSONSchema(JSON.parse(readFileSync(new URL('./fixtures/report.schema.json', import.meta.url), 'utf8')));

// biome-ignore lint/suspicious/noExplicitAny: the mutations reach into parsed JSON whose shape the schema, not the type, checks.
type Json = Record<string, any>;

describe('the JSON report against the §9 schema', () => {
  const fixtures = ['primary-mx-down.yaml', 'everything.yaml'];

  it.each(fixtures)('%s validates', (file) => {
    const json = JSON.parse(renderJson(runFixture(file).report)) as Json;
    const result = schema.safeParse(json);
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues.slice(0, 3))).toBe(true);
  });

  const mutations: Array<[string, (r: Json) => void]> = [
    ['format', (r) => (r.format = 'mailsim-report/2')],
    ['missing traceDigest', (r) => delete r.traceDigest],
    ['traceDigest not sha256', (r) => (r.traceDigest = 'md5:abc')],
    ['scenario.seed a string', (r) => (r.scenario.seed = '7')],
    ['endedAtMs fractional', (r) => (r.endedAtMs = 1.5)],
    ['invariant name', (r) => (r.invariants[0].name = 'no-dupes')],
    ['expectation without detail', (r) => delete r.expectations[0].detail],
    ['recipient status', (r) => (r.messages[0].recipients[0].status = 'lost-in-space')],
    ['attempt result', (r) => (r.messages[0].recipients[0].attempts[0].result = 'greylisted')],
    ['attempt reply a number', (r) => (r.messages[0].recipients[0].attempts[0].reply = 450)],
    ['attempt without conn', (r) => delete r.messages[0].recipients[0].attempts[0].conn],
    ['attempt tls a string', (r) => (r.messages[0].recipients[0].attempts[0].tls = 'yes')],
    ['delivery without folder', (r) => delete r.messages[0].recipients[0].deliveries[0].folder],
    ['bounce without reportingMta', (r) => (r.messages[0].recipients[0].bounce = { atMs: 1, status: '5.0.0' })],
    ['message dsn missing', (r) => delete r.messages[0].dsn],
    ['fetch protocol', (r) => (r.fetches[0].protocol = 'smtp')],
    ['stats.events missing', (r) => delete r.stats.events],
  ];

  it.each(mutations)('rejects a report with a bad %s', (_name, mutate) => {
    const json = JSON.parse(renderJson(runFixture('primary-mx-down.yaml').report)) as Json;
    expect(schema.safeParse(json).success).toBe(true);
    mutate(json);
    expect(schema.safeParse(json).success).toBe(false);
  });
});
