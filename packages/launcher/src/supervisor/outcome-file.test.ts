import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { OUTCOME_FILE_BYTES, RUN_FILES } from '../run-folder/run-files.js';
import { readAttemptOutcome } from '../run-folder/run-records.js';
import { OutcomeFile } from './outcome-file.js';

const test = testWithTempDir('runboard-outcome-');

const owner = { attempt: 2, supervisorPid: 4242, host: 'gpu-box-1' };

describe('outcome.json', () => {
  test('is prepared at its fixed size holding no outcome, then overwritten in place', async ({
    dir: runDir,
  }) => {
    const file = join(runDir, RUN_FILES.outcome);
    const outcome = OutcomeFile.prepare(runDir);
    expect(statSync(file).size).toBe(OUTCOME_FILE_BYTES);
    expect(await readAttemptOutcome(runDir)).toBeUndefined();
    const inode = statSync(file).ino;
    expect(outcome.start(owner)).toBeUndefined();
    expect(
      outcome.update({ status: 'succeeded', exitCode: 0, recordError: 'x'.repeat(5000) }),
    ).toBeUndefined();
    outcome.close();
    expect(statSync(file)).toMatchObject({ size: OUTCOME_FILE_BYTES, ino: inode });
    const read = await readAttemptOutcome(runDir);
    expect(read).toMatchObject({
      ...owner,
      status: 'succeeded',
      exitCode: 0,
      recordError: expect.stringMatching(/^x+…$/),
    });
    expect(read?.recordError?.length).toBeLessThan(1000);
    expect(readFileSync(file, 'utf8').endsWith(' \n')).toBe(true);
  });

  test("a later supervisor leaves an earlier attempt's outcome until it writes its own", async ({
    dir: runDir,
  }) => {
    const first = OutcomeFile.prepare(runDir);
    first.start(owner);
    first.update({ status: 'failed', exitCode: 3 });
    first.close();
    OutcomeFile.prepare(runDir).close();
    expect(await readAttemptOutcome(runDir)).toMatchObject({ attempt: 2, status: 'failed' });
  });

  test('readAttemptOutcome: none for a missing file or one that is not an outcome', async ({
    dir: runDir,
  }) => {
    expect(await readAttemptOutcome(runDir)).toBeUndefined();
    writeFileSync(join(runDir, RUN_FILES.outcome), '{"status":"succeeded"}');
    expect(await readAttemptOutcome(runDir)).toBeUndefined();
  });
});
