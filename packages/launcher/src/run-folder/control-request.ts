import { join } from 'node:path';
import { readJson, updateJson } from '@runboard/json-io';
import { z } from 'zod';
import { RUN_FILES } from './run-files.js';

/** `control.json`: requests to a run from outside its supervisor. */
export const controlRequestSchema = z.looseObject({
  cancel: z
    .looseObject({
      requestedAt: z.iso.datetime({ offset: true }),
      requestedBy: z.string().optional(),
    })
    .optional(),
});

export type ControlRequest = z.infer<typeof controlRequestSchema>;

/**
 * Asks the run in `runDir` to cancel, by recording the request in its `control.json`
 * (never in `progress.json`, which only the run's supervisor writes while it lives).
 * An earlier request is kept: the first request time stands.
 *
 * @example
 * await requestCancel('/data/logs/cdd/run_2', { requestedBy: 'dashboard' });
 */
export async function requestCancel(
  runDir: string,
  options: { requestedBy?: string; now?: Date } = {},
): Promise<ControlRequest> {
  const requestedAt = (options.now ?? new Date()).toISOString();
  return updateJson<ControlRequest>(
    join(runDir, RUN_FILES.control),
    (current) => {
      const control = controlRequestSchema.parse(current ?? {});
      if (control.cancel) return control;
      return {
        ...control,
        cancel: {
          requestedAt,
          ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
        },
      };
    },
    { default: {} },
  );
}

/**
 * The requests in the run's `control.json`; `{}` when there is none.
 *
 * @example
 * if ((await readControlRequest(runDir)).cancel) stopJob();
 */
export async function readControlRequest(runDir: string): Promise<ControlRequest> {
  return readJson(join(runDir, RUN_FILES.control), { default: {}, validate: controlRequestSchema });
}

/**
 * Removes a cancel request from the run's `control.json`, so that a run given a fresh start
 * (`--retry-failed`, an outdated run) is not cancelled by an old request. Other requests stay.
 * Resolves with whether there was one to remove.
 *
 * @example
 * if (await clearCancelRequest(runDir)) console.log('old cancel request removed');
 */
export async function clearCancelRequest(runDir: string): Promise<boolean> {
  if (!(await readControlRequest(runDir)).cancel) return false;
  let removed = false;
  await updateJson<ControlRequest>(
    join(runDir, RUN_FILES.control),
    (current) => {
      const { cancel, ...rest } = controlRequestSchema.parse(current ?? {});
      removed = cancel !== undefined;
      return rest;
    },
    { default: {} },
  );
  return removed;
}
