/**
 * Writes schema/mailsim-scenario.schema.json from the zod schema (src/scenario/json-schema.ts).
 * Run: `npx tsx scripts/gen-json-schema.ts`. test/scenario/json-schema.test.ts fails when the shipped
 * file differs from what this would write, so the schema cannot drift from the loader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scenarioJsonSchemaPath, scenarioJsonSchemaText } from '../src/scenario/json-schema.js';

const root = join(import.meta.dirname, '..');
const target = join(root, scenarioJsonSchemaPath);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${scenarioJsonSchemaPath}`);
