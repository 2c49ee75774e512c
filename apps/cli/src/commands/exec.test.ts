import { CommanderError } from 'commander';
import { buildExecArgv } from '@runboard/launcher/supervisor';
import { describe, expect, test } from 'vitest';
import { parseExecArgs } from './exec.js';

describe('runboard exec: the command line', () => {
  test('reads every flag and takes everything after -- as the command', async () => {
    expect(
      await parseExecArgs([
        '--run-dir',
        '/logs/a',
        '--run-id',
        'a',
        '--attempt',
        '2',
        '--gpus',
        '0,1',
        '--cwd',
        '/work',
        '--heartbeat-seconds',
        '5',
        '--timeout-seconds=60',
        '--kill-grace-seconds',
        '0',
        '--log-max-bytes',
        '1024',
        '--epoch-dirs-files',
        'model.pth, metrics.json',
        '--epoch-dirs-total',
        '10',
        '--epoch-dirs-dir',
        'out',
        '--quiet',
        '--',
        'python',
        'train.py',
        '--run-dir',
        'x',
        '--',
      ]),
    ).toEqual({
      runDir: '/logs/a',
      runId: 'a',
      attempt: 2,
      gpus: [0, 1],
      cwd: '/work',
      heartbeatSeconds: 5,
      timeoutSeconds: 60,
      killGraceSeconds: 0,
      logMaxBytes: 1024,
      epochDirs: { expectedFiles: ['model.pth', 'metrics.json'], total: 10, dir: 'out' },
      passThrough: false,
      command: ['python', 'train.py', '--run-dir', 'x', '--'],
    });
  });

  test('stops reading flags at the first argument that is not one', async () => {
    expect(await parseExecArgs(['--run-dir', 'd', 'python', '--lr', '0.1'])).toEqual({
      runDir: 'd',
      passThrough: true,
      command: ['python', '--lr', '0.1'],
    });
  });

  test.each([
    [['--', 'x'], /required option '--run-dir <dir>' not specified/],
    [['--run-dir', 'd'], /missing required argument 'command'/],
    [['--run-dir', 'd', '--'], /missing required argument 'command'/],
    [['--run-dir', 'd', '--lr', '1', '--', 'x'], /unknown option '--lr'/],
    [['--run-dir'], /option '--run-dir <dir>' argument missing/],
    [['--run-dir', 'd', '--attempt', '0', '--', 'x'], /`--attempt` to be an integer ≥ 1, got 0/],
    [['--run-dir', 'd', '--attempt', '1.5', '--', 'x'], /integer/],
    [['--run-dir', 'd', '--gpus', '0,,1', '--', 'x'], /--gpus expects a number/],
    [
      ['--run-dir', 'd', '--timeout-seconds', '0', '--', 'x'],
      /`--timeout-seconds` to be a finite number ≥ 0.001/,
    ],
    [['--run-dir', 'd', '--quiet=yes', '--', 'x'], /unknown option '--quiet=yes'/],
  ])('rejects %j', async (argv, message) => {
    const error = await parseExecArgs(argv).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).not.toBe(0);
    expect((error as Error).message).toMatch(message);
  });

  test("reads back what the launcher's buildExecArgv writes", async () => {
    const options = {
      runDir: '/logs/a b',
      runId: 'a',
      attempt: 3,
      gpus: [2],
      cwd: '/w',
      heartbeatSeconds: 10,
      timeoutSeconds: 3600,
      killGraceSeconds: 5,
      logMaxBytes: 2048,
      epochDirs: { expectedFiles: ['m.pth'], total: 4, dir: '/o' },
      passThrough: false,
      command: ['sh', '-c', 'echo "$X" --quiet'],
    };
    expect(await parseExecArgs(buildExecArgv(options))).toEqual(options);
  });
});
