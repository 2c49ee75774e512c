import { z } from 'zod';
import { planSchema } from './plan-schema.js';

/** Where the committed plan JSON Schema lives, relative to the package root. */
export const PLAN_JSON_SCHEMA_FILE = 'schemas/plan.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a plan file, generated from {@link planSchema} (input
 * side: fields with defaults are optional). Editors validate a plan that names it in `$schema`.
 * Rules across fields (unique ids, known dependencies, no cycles) are checked by
 * {@link resolvePlan} only.
 *
 * @example
 * writeFileSync('plan.schema.json', JSON.stringify(planJsonSchema(), null, 2));
 */
export function planJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(planSchema, { target: 'draft-2020-12', io: 'input' }),
    title: 'runboard plan',
  };
}
