import { describe, expect, test } from 'vitest';
import { parseProbe, probeCommand } from './server-probe.js';
import { shellQuote } from './shell-quote.js';

describe('server probes', () => {
  test('one command: hostname and pids, plus load, RAM and nvidia-smi for a policy', () => {
    expect(probeCommand({ resources: false, env: {} })).toBe(
      'echo @host\nhostname\necho @pids\nps -e -o pid=,stat=',
    );
    const command = probeCommand({ resources: true, env: { PATH: '/x y:/bin' } });
    expect(command.startsWith("export PATH='/x y:/bin'\n")).toBe(true);
    expect(command).toContain('nvidia-smi --query-gpu=index,uuid,name,memory.total');
  });

  test('parses hostname, live pids (zombies left out), CPU %, free RAM and GPUs', () => {
    const probe = parseProbe(
      [
        '@host',
        'gpu-a',
        '@pids',
        '    1 Ss',
        '   42 S',
        '   43 Z',
        '@load',
        '3.00 1.00 0.50 2/100 999',
        '4',
        'MemAvailable:    8388608 kB',
        '@gpus',
        '0, GPU-1, NVIDIA H200, 143771, 0, 143156, 7',
      ].join('\n'),
      1000,
    );
    expect(probe).toMatchObject({
      hostname: 'gpu-a',
      cpuPercent: 75,
      freeRamMiB: 8192,
      checkedAt: 1000,
    });
    expect([...probe.pids]).toEqual([1, 42]);
    expect(probe.gpus).toMatchObject({
      available: true,
      list: [{ index: 0, utilizationPercent: 7 }],
    });
    expect(
      parseProbe('@host\nh\n@pids\n@load\n@gpus\nsh: nvidia-smi: not found\n@gpus-failed 127\n', 0)
        .gpus,
    ).toEqual({
      available: false,
      reason: 'nvidia-smi not found on PATH',
    });
  });

  test('shell quoting', () => {
    expect(shellQuote('plain/path-1.2=x')).toBe('plain/path-1.2=x');
    expect(shellQuote("it's a $HOME")).toBe("'it'\\''s a $HOME'");
    expect(shellQuote('')).toBe("''");
  });
});
