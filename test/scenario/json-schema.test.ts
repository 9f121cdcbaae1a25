/**
 * The shipped JSON Schema (schema/mailsim-scenario.schema.json) is exactly what the generator writes
 * from the zod schema now, so it cannot drift; and, read back as a validator, it accepts the valid
 * fixtures and refuses unknown keys — what an editor would show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, scenarioJsonSchemaPath, scenarioJsonSchemaText } from '../../src/scenario/json-schema.js';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as unknown;

describe('JSON Schema', () => {
  it('the shipped file equals what scripts/gen-json-schema.ts generates (run it after changing the schema)', () => {
    expect(readFileSync(join(root, scenarioJsonSchemaPath), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('describes the input shape, with help and defaults for editors', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, { description?: string; default?: unknown; pattern?: string }>; required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['name', 'hosts']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.until).toMatchObject({ default: '7d', type: ['string', 'number'] });
    expect(schema.properties.until?.description).toMatch(/simulated-time limit/);
    const text = scenarioJsonSchemaText();
    for (const key of ['relay-for', 'bounce-lifetime', 'warn-after', 'data-init', 'size-over', 'no-bounces', 'dns-set', 'mx-sessions']) expect(text).toContain(`"${key}"`);
  });

  const validator = z.fromJSONSchema(scenarioJsonSchema() as Parameters<typeof z.fromJSONSchema>[0]);

  it.each(['primary-mx-down.yaml', 'everything.yaml', 'smarthost.json'])('accepts the valid fixture %s', (name) => {
    const result = validator.safeParse(fixture(name));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('refuses unknown keys and bad durations, as the loader does', () => {
    const example = fixture('primary-mx-down.yaml') as Record<string, unknown>;
    expect(validator.safeParse({ ...example, netwrok: {} }).success).toBe(false);
    expect(validator.safeParse({ ...example, until: '5 minutes' }).success).toBe(false);
    expect(validator.safeParse({ ...example, until: '1h30m' }).success).toBe(true);
  });
});
