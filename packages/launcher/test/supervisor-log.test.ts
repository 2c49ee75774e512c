import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { RUN_FILES } from '../src/run-folder/index.js';
import { ROTATED_LOG_FILE } from '../src/index.js';
import { nodeJob, readRecord, test } from './supervisor-helpers.js';

describe('superviseRun: run.log', () => {
  test('megabytes of output keep run.log and run.log.1 within the cap, newest lines kept', async ({
    runDir,
    supervise,
  }) => {
    const cap = 512 * 1024;
    const result = await supervise({
      runDir,
      command: nodeJob('print-megabytes.mjs', { mb: 4, stream: 'both' }),
      logMaxBytes: cap,
    });
    expect(result.status).toBe('succeeded');
    const current = join(runDir, RUN_FILES.log);
    const rotated = join(runDir, ROTATED_LOG_FILE);
    expect(existsSync(rotated)).toBe(true);
    const onDisk = statSync(current).size + statSync(rotated).size;
    expect(onDisk).toBeLessThanOrEqual(cap);
    expect(onDisk).toBeGreaterThanOrEqual(cap / 2);
    const lastLine = Math.round((4 * 1024 * 1024) / 100) - 1;
    const text = readFileSync(current, 'utf8');
    expect(text).toContain(`line ${String(lastLine).padStart(10, '0')}`);
    expect(text).toContain('[runboard] attempt 1');
    expect(readFileSync(rotated, 'utf8')).not.toContain('line 0000000000 ');
    expect(readRecord(runDir)?.status).toBe('succeeded');
  });

  test('appends to the log of an earlier attempt', async ({ runDir, supervise }) => {
    await supervise({
      runDir,
      command: nodeJob('exit-with.mjs', { code: 1, message: 'first attempt output' }),
    });
    await supervise({
      runDir,
      command: nodeJob('exit-with.mjs', { message: 'second attempt output' }),
    });
    const text = readFileSync(join(runDir, RUN_FILES.log), 'utf8');
    expect(text.indexOf('first attempt output')).toBeGreaterThan(-1);
    expect(text.indexOf('second attempt output')).toBeGreaterThan(
      text.indexOf('first attempt output'),
    );
    expect(text).toContain('[runboard] attempt 2');
  });
});
