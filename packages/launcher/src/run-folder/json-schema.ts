import { z } from 'zod';
import { runRecordSchema } from './run-record.js';

/** Where the committed JSON Schemas are published, relative to the package root. */
export const RUN_RECORD_JSON_SCHEMA_FILE = 'schemas/run-record.schema.json';

/**
 * The JSON Schema (draft 2020-12) of `progress.json`, generated from {@link runRecordSchema}.
 * The package ships it as `schemas/run-record.schema.json` for readers in other languages.
 *
 * @example
 * writeFileSync('run-record.schema.json', JSON.stringify(runRecordJsonSchema(), null, 2));
 */
export function runRecordJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(runRecordSchema, { target: 'draft-2020-12' }),
    title: 'runboard run record',
  };
}
