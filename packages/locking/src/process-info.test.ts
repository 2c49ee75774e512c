import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  parseProcessStat,
  readProcessStat,
  readProcessStatAsync,
} from './process-info.js';

describe('parseProcessStat', () => {
  it('reads the fields after a command name holding spaces and parentheses', () => {
    const text =
      '4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
    expect(parseProcessStat(text)).toEqual({
      state: 'S',
      parentPid: 17,
      groupId: 4242,
      startTime: '987654',
    });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcessStat('')).toBeUndefined();
    expect(parseProcessStat('4242 (short) S 1')).toBeUndefined();
  });
});

describe('isProcessAlive', () => {
  it('is true for this process, false for another start time', async () => {
    const self = readProcessStat(process.pid);
    expect(self?.groupId).toBeGreaterThan(0);
    expect((await readProcessStatAsync(process.pid))?.startTime).toBe(self?.startTime);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, { startTime: self!.startTime })).toBe(true);
    expect(isProcessAlive(process.pid, { startTime: '1' })).toBe(false);
  });

  it('is false for a process that exited and for pids that cannot be processes', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    expect(isProcessAlive(child.pid!)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });

  it('is false for a zombie nobody reaps', async () => {
    // `sleep 0.05 &` becomes a child of `sleep 5` (exec replaces the shell), which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 5']);
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const pid = Number(line.toString().trim());
      await expect.poll(() => readProcessStat(pid)?.state).toBe('Z');
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
