import { describe, expect, test } from 'vitest';
import { parseJobCompletion } from './jobcomp.js';
import { parseSqueue } from './slurm-queue.js';

describe('parseSqueue', () => {
  test("keeps runboard's jobs and their restarts, with run folders that hold spaces and bars", () => {
    const jobs = parseSqueue(
      [
        '12|PENDING|Priority|0|runboard 1 /logs/a b|c',
        '13|RUNNING|None|2|runboard 2 /logs/c',
        '14|RUNNING|None|0|(null)',
        '',
      ].join('\n'),
    );
    expect([...jobs.values()]).toEqual([
      {
        jobId: '12',
        state: 'PENDING',
        reason: 'Priority',
        restarts: 0,
        attempt: 1,
        runDir: '/logs/a b|c',
      },
      { jobId: '13', state: 'RUNNING', reason: 'None', restarts: 2, attempt: 2, runDir: '/logs/c' },
    ]);
  });
});

describe('parseJobCompletion', () => {
  test('reads the state, exit code and signal of a jobcomp/filetxt line', () => {
    expect(
      parseJobCompletion(
        'JobId=7 UserId=root(0) Name=a JobState=FAILED Partition=gpu WorkDir=/logs/a DerivedExitCode=0:0 ExitCode=3:0 ',
      ),
    ).toEqual({ state: 'FAILED', exitCode: 3, signal: 0 });
    expect(parseJobCompletion('JobId=8 JobState=CANCELLED ExitCode=0:9')).toEqual({
      state: 'CANCELLED',
      exitCode: 0,
      signal: 9,
    });
  });
});
