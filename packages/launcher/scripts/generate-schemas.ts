// Writes the JSON Schemas generated from the zod schemas into schemas/ (committed, shipped):
//   npm run schemas -w @runboard/launcher
// test/json-schemas.test.ts fails when the committed files and the code disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  PLAN_JSON_SCHEMA_FILE,
  planJsonSchema,
  RUN_RECORD_JSON_SCHEMA_FILE,
  runRecordJsonSchema,
} from '../src/index.js';

const packageRoot = new URL('../', import.meta.url);
for (const [file, schema] of [
  [RUN_RECORD_JSON_SCHEMA_FILE, runRecordJsonSchema()],
  [PLAN_JSON_SCHEMA_FILE, planJsonSchema()],
] as const) {
  const path = fileURLToPath(new URL(file, packageRoot));
  // Formatted as the repository's `prettier --check` expects.
  const options = { ...(await resolveConfig(path)), filepath: path };
  writeFileSync(path, await format(JSON.stringify(schema, null, 2), options));
  console.log(`wrote ${path}`);
}
