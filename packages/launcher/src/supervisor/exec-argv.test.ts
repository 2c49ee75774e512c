import { describe, expect, test } from 'vitest';
import { ExecUsageError } from './errors.js';
import { buildExecArgv, parseExecArgv } from './exec-argv.js';

describe('parseExecArgv', () => {
  test('reads every flag and takes everything after -- as the command', () => {
    expect(
      parseExecArgv([
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

  test('stops reading flags at the first argument that is not one', () => {
    expect(parseExecArgv(['--run-dir', 'd', 'python', '--lr', '0.1'])).toEqual({
      runDir: 'd',
      passThrough: true,
      command: ['python', '--lr', '0.1'],
    });
  });

  test.each([
    [['--', 'x'], /--run-dir is required/],
    [['--run-dir', 'd'], /no command/],
    [['--run-dir', 'd', '--'], /no command/],
    [['--run-dir', 'd', '--lr', '1', '--', 'x'], /unknown flag --lr/],
    [['--run-dir'], /needs a value/],
    [['--run-dir', 'd', '--attempt', '0', '--', 'x'], /at least 1/],
    [['--run-dir', 'd', '--attempt', '1.5', '--', 'x'], /integer/],
    [['--run-dir', 'd', '--gpus', '0,,1', '--', 'x'], /--gpus expects a number/],
    [['--run-dir', 'd', '--timeout-seconds', '0', '--', 'x'], /greater than 0/],
    [['--run-dir', 'd', '--quiet=yes', '--', 'x'], /takes no value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseExecArgv(argv)).toThrow(ExecUsageError);
    expect(() => parseExecArgv(argv)).toThrow(message);
  });
});

describe('buildExecArgv', () => {
  test('builds what parseExecArgv reads back', () => {
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
    const argv = buildExecArgv(options);
    expect(argv.slice(-4)).toEqual(['--', 'sh', '-c', 'echo "$X" --quiet']);
    expect(parseExecArgv(argv)).toEqual(options);
  });

  test('leaves out what is not set', () => {
    expect(buildExecArgv({ runDir: 'd', command: ['x'] })).toEqual(['--run-dir', 'd', '--', 'x']);
  });
});
