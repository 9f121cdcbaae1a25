/**
 * Writes schema/mailsim-scenario.schema.json and schema/mailsim-sweep.schema.json from the zod schemas
 * (src/scenario/json-schema.ts, src/sweep/json-schema.ts).
 * Run: `npx tsx scripts/gen-json-schema.ts`. test/scenario/json-schema.test.ts fails when the shipped
 * file differs from what this would write, so the schema cannot drift from the loader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scenarioJsonSchemaPath, scenarioJsonSchemaText } from '../src/scenario/json-schema.js';
import { sweepJsonSchemaPath, sweepJsonSchemaText } from '../src/sweep/json-schema.js';

const root = join(import.meta.dirname, '..');
for (const [path, text] of [
  [scenarioJsonSchemaPath, scenarioJsonSchemaText()],
  [sweepJsonSchemaPath, sweepJsonSchemaText()],
] as const) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${path}`);
}
