import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  markJob,
  peakJobsPerGpu,
  readMarks,
  startLauncher,
  test,
  writePlan,
} from './launch-helpers.js';

describe('GPU slots across launchers', () => {
  const cases: { name: string; plans: string[] }[] = [
    // Different runs, the same GPUs: only the root's GPU lock keeps them apart.
    { name: 'two plans', plans: ['a', 'b'] },
    // The same runs: claims race too, and each launcher watches the other's runs.
    { name: 'one plan', plans: ['a', 'a'] },
  ];
  for (const { name: variant, plans: names } of cases)
    test(`two launchers started at the same moment on one root (${variant}) never put two runs on one GPU`, async ({
      dir,
    }) => {
      const marks = join(dir, 'marks.log');
      // Plan files in one folder: one root (`logs`).
      const plan = (name: string) => ({
        gpus: [0, 1],
        heartbeatSeconds: 1,
        runs: Array.from({ length: 6 }, (_, index) => ({
          id: `${name}/run_${index}`,
          command: markJob(150),
        })),
      });
      const files = await Promise.all(
        [...new Set(names)].map((name) => writePlan(dir, plan(name), `plan-${name}.json`)),
      );
      const starts = new Set(names).size * 6;
      const planFiles = names.map((name) =>
        files.find((file) => file.endsWith(`plan-${name}.json`))!,
      );
      const launchers = await Promise.all(
        planFiles.map((file) => startLauncher(file, { MARK_LOG: marks })),
      );
      const exits = await Promise.all(launchers.map((launcher) => launcher.exited));
      expect(exits, launchers.map((launcher) => launcher.stderr()).join('\n')).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      const log = readMarks(marks);
      expect(log.filter((mark) => mark.kind === 'start')).toHaveLength(starts);
      expect(log.every((mark) => mark.gpus === '0' || mark.gpus === '1')).toBe(true);
      // Replayed in write order: at most one job per GPU at any moment.
      expect(Object.fromEntries(peakJobsPerGpu(log))).toEqual({ 0: 1, 1: 1 });
      // By time stamps as well: one job's start never falls inside another's interval on its GPU.
      const intervals = new Map<number, { gpus: string; start: number; end: number }>();
      for (const mark of log) {
        const interval = intervals.get(mark.pid) ?? { gpus: mark.gpus, start: 0, end: Infinity };
        if (mark.kind === 'start') interval.start = mark.time;
        else interval.end = mark.time;
        intervals.set(mark.pid, interval);
      }
      const list = [...intervals.values()];
      for (const a of list)
        for (const b of list)
          if (a !== b && a.gpus === b.gpus) expect(b.start >= a.end || b.end <= a.start).toBe(true);
    }, 60_000);
});
