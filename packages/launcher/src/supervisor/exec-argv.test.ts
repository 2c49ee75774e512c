import { describe, expect, test } from 'vitest';
import { ExecUsageError } from './errors.js';
import { buildExecArgv, execOptionsFromFlags } from './exec-argv.js';

// The command line itself is parsed by the CLI (commander); its tests (apps/cli) read every
// flag, `--`, the first non-flag argument, and what buildExecArgv writes. Here: the flag
// values and the argv the launcher builds.
describe('execOptionsFromFlags', () => {
  test('turns flag texts into typed options', () => {
    expect(
      execOptionsFromFlags(
        {
          runDir: '/logs/a',
          attempt: '2',
          gpus: '0, 3',
          killGraceSeconds: '0',
          epochDirsFiles: 'a.pth, ,b.json',
          epochDirsTotal: '4',
          quiet: true,
        },
        ['python', 'train.py'],
      ),
    ).toEqual({
      runDir: '/logs/a',
      attempt: 2,
      gpus: [0, 3],
      killGraceSeconds: 0,
      epochDirs: { expectedFiles: ['a.pth', 'b.json'], total: 4 },
      passThrough: false,
      command: ['python', 'train.py'],
    });
  });

  test('sets only what was given; passes output through unless quiet', () => {
    expect(execOptionsFromFlags({ runDir: 'd' }, ['python', '--lr', '0.1'])).toEqual({
      runDir: 'd',
      passThrough: true,
      command: ['python', '--lr', '0.1'],
    });
  });

  test.each([
    [{}, ['x'], /--run-dir is required/],
    [{ runDir: 'd' }, [], /no command/],
    [{ runDir: 'd' }, [''], /no command/],
    [{ runDir: 'd', attempt: '0' }, ['x'], /Expected `--attempt` to be an integer ≥ 1, got 0/],
    [{ runDir: 'd', attempt: '1.5' }, ['x'], /`--attempt` to be an integer/],
    [{ runDir: 'd', attempt: 'two' }, ['x'], /--attempt expects a number, got "two"/],
    [{ runDir: 'd', gpus: '0,,1' }, ['x'], /--gpus expects a number/],
    [{ runDir: 'd', gpus: '0,-1' }, ['x'], /`--gpus` to be an integer ≥ 0, got -1/],
    [
      { runDir: 'd', timeoutSeconds: '0' },
      ['x'],
      /`--timeout-seconds` to be a finite number ≥ 0.001/,
    ],
    [{ runDir: 'd', heartbeatSeconds: 'Infinity' }, ['x'], /`--heartbeat-seconds`/],
    [{ runDir: 'd', logMaxBytes: '1' }, ['x'], /`--log-max-bytes` to be an integer ≥ 2/],
    [{ runDir: 'd', epochDirsTotal: '0' }, ['x'], /`--epoch-dirs-total` to be an integer ≥ 1/],
  ])('rejects %j %j', (flags, command, message) => {
    expect(() => execOptionsFromFlags(flags, command)).toThrow(ExecUsageError);
    expect(() => execOptionsFromFlags(flags, command)).toThrow(message);
  });
});

describe('buildExecArgv', () => {
  test('writes every option as its flag, then -- and the command untouched', () => {
    expect(
      buildExecArgv({
        runDir: '/logs/a b',
        runId: 'a',
        attempt: 3,
        gpus: [2, 5],
        cwd: '/w',
        heartbeatSeconds: 10,
        timeoutSeconds: 3600,
        killGraceSeconds: 5,
        logMaxBytes: 2048,
        epochDirs: { expectedFiles: ['m.pth', 'e.json'], total: 4, dir: '/o' },
        passThrough: false,
        command: ['sh', '-c', 'echo "$X" --quiet'],
      }),
    ).toEqual([
      '--run-dir',
      '/logs/a b',
      '--run-id',
      'a',
      '--attempt',
      '3',
      '--gpus',
      '2,5',
      '--cwd',
      '/w',
      '--heartbeat-seconds',
      '10',
      '--timeout-seconds',
      '3600',
      '--kill-grace-seconds',
      '5',
      '--log-max-bytes',
      '2048',
      '--epoch-dirs-files',
      'm.pth,e.json',
      '--epoch-dirs-total',
      '4',
      '--epoch-dirs-dir',
      '/o',
      '--quiet',
      '--',
      'sh',
      '-c',
      'echo "$X" --quiet',
    ]);
  });

  test('leaves out what is not set', () => {
    expect(buildExecArgv({ runDir: 'd', command: ['x'] })).toEqual(['--run-dir', 'd', '--', 'x']);
  });
});
