import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  PLAN_JSON_SCHEMA_FILE,
  planJsonSchema,
  RUN_RECORD_JSON_SCHEMA_FILE,
  RUN_STATUSES,
  runRecordJsonSchema,
} from '../src/index.js';

const packageRoot = new URL('../', import.meta.url);

// Compared as values, not text: a formatter may re-indent the committed files.
describe('committed JSON Schemas match the zod schemas (regenerate: npm run schemas)', () => {
  test.each([
    [RUN_RECORD_JSON_SCHEMA_FILE, runRecordJsonSchema],
    [PLAN_JSON_SCHEMA_FILE, planJsonSchema],
  ] as const)('%s', async (file, generate) => {
    const committed = JSON.parse(
      await readFile(fileURLToPath(new URL(file, packageRoot)), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(generate());
  });

  test('the plan schema describes runs and sweeps, and the record schema every status', () => {
    const plan = planJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    expect(Object.keys(plan.properties)).toEqual(
      expect.arrayContaining(['runs', 'sweeps', 'gpus', 'retries', 'outdatedAfterDays']),
    );
    expect(plan.additionalProperties).toBe(false);
    const record = runRecordJsonSchema() as {
      properties: { status: { enum: string[] } };
      required: string[];
    };
    expect(record.properties.status.enum).toEqual(RUN_STATUSES);
    expect(record.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'id', 'status', 'attempt', 'command', 'updatedAt']),
    );
  });
});
