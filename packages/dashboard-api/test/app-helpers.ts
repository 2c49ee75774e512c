import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createDashboardApp } from '../src/http/create-dashboard-app.js';
import type { DashboardAppOptions } from '../src/http/create-dashboard-app.js';
import { ResourceSampler } from '../src/resources/resource-sampler.js';
import type { RunIndex } from '../src/run-index/run-index.js';
import { fakeGpuQuery, test as base, writeRun } from './test-utils.js';

// What the in-memory tests of the app (`app.request()`) share.

export const TOKEN = 's3cret-token';

/** Four runs in two folders, one with a log and a metrics history (its last line torn). */
async function seed(root: string): Promise<void> {
  await writeRun(root, 'sweep/a', { progress: { current: 2, total: 10 } });
  await writeRun(root, 'sweep/b', {
    status: 'failed',
    error: 'exit code 1',
    progress: { current: 5, total: 10 },
  });
  await writeRun(root, 'sweep/c', { status: 'succeeded' });
  await writeRun(root, 'other/d', { status: 'queued', progress: null });
  await writeFile(join(root, 'sweep', 'a', 'run.log'), 'line 1\nline 2\nline 3\n');
  await writeFile(
    join(root, 'sweep', 'a', 'metrics.jsonl'),
    '{"time":"2025-01-01T00:00:00Z","current":1,"metrics":{"loss":0.9}}\n{"time":"2025-01-01T00:01:00Z","current":2,"metrics":{"loss":0.5}}\n{"time":"2025-01-0',
  );
}

/**
 * The shared fixtures, `seededRoot`: `root` with {@link seed}'s runs in it, and `seededApp`:
 * the app over a snapshot of them.
 */
export const test = base.extend<{
  seededRoot: string;
  seededApp: (options?: Partial<DashboardAppOptions>) => Promise<ReturnType<typeof appFor>>;
}>({
  seededRoot: async ({ root }, use) => {
    await seed(root);
    await use(root);
  },
  seededApp: async ({ seededRoot: _seeded, openIndex }, use) =>
    use(async (options = {}) => appFor(await openIndex({ watch: false }), options)),
});

/** The app over `index`, on a machine without `nvidia-smi`, internal errors kept quiet. */
export function appFor(index: RunIndex, options: Partial<DashboardAppOptions> = {}) {
  return createDashboardApp({
    index,
    resources: new ResourceSampler({ queryGpus: fakeGpuQuery() }),
    onInternalError: () => {},
    ...options,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
export async function json(response: Response): Promise<any> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

/** The answer is `status` with `{ error: { code, message } }` and no stack trace. */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const body = await json(response);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\n\s+at /);
}
