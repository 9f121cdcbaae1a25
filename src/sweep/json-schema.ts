/**
 * The JSON Schema of the sweep format (schema/mailsim-sweep.schema.json), generated from the zod schema
 * the loader uses, as the scenario's is (src/scenario/json-schema.ts): editors complete and check sweep
 * files with it. scripts/gen-json-schema.ts writes it; a test fails when the shipped file differs.
 */
import { jsonSchemaOf } from '../scenario/json-schema.js';
import { sweepSchema } from './schema.js';

export const sweepJsonSchemaPath = 'schema/mailsim-sweep.schema.json';

export function sweepJsonSchemaText(): string {
  return `${JSON.stringify(jsonSchemaOf(sweepSchema, 'mailsim sweep'), null, 2)}\n`;
}
