/**
 * The JSON Schema of the scenario format, generated from the same zod schema the loader uses, so the
 * two cannot disagree. It describes the INPUT shape (what a user writes): durations and sizes are
 * strings with a `pattern` (or numbers), every key has a description and its default, and unknown
 * keys are refused (`additionalProperties: false`), so editors complete and check scenario files.
 * scripts/gen-json-schema.ts writes it to schema/mailsim-scenario.schema.json.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';
import { editorDefaults } from '../schema/base.js';

export const scenarioJsonSchemaPath = 'schema/mailsim-scenario.schema.json';

export function scenarioJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(scenarioSchema, 'mailsim scenario');
}

/** The input-side JSON Schema of a zod schema built from src/schema/base.ts, with its editor defaults. */
export function jsonSchemaOf(schema: z.ZodType, title: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const value = editorDefaults.get(ctx.zodSchema as unknown as z.ZodType);
      if (value !== undefined) ctx.jsonSchema.default = value as never;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title,
    ...rest,
  };
}

/** The file's exact text (stable key order, two-space indent, trailing newline). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
