import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { LaunchSnapshot, RunSnapshot } from '@runboard/launcher';
import { describeEvent, describeSummary } from './launch-lines.js';
import { overallProgress } from './launch-progress.js';
import { createPlainReporter } from './plain-reporter.js';
import { createTtyReporter, renderLiveBlock } from './tty-reporter.js';

const snapshot = (fields: Partial<LaunchSnapshot> = {}): LaunchSnapshot => ({
  startedAt: 0,
  now: 60_000,
  total: 4,
  succeeded: 1,
  failed: 0,
  cancelled: 0,
  active: [],
  pending: 2,
  doneAtStart: 0,
  stopping: false,
  ...fields,
});
const active = (fields: Partial<RunSnapshot>): RunSnapshot => ({
  id: 'cdd/run_1',
  phase: 'running',
  attempt: 1,
  gpus: [0],
  own: true,
  ...fields,
});

describe('formatting', () => {
  test('overall progress counts finished runs whole and running ones by percent; ETA from the rate so far', () => {
    const now = snapshot({ active: [active({ progress: { current: 1, percent: 50 } })] });
    const { fraction, etaSeconds } = overallProgress(now);
    expect(fraction).toBeCloseTo(1.5 / 4);
    expect(etaSeconds).toBeCloseTo((60 * (1 - 1.5 / 4)) / (1.5 / 4));
    expect(overallProgress(snapshot({ succeeded: 0, pending: 4 })).etaSeconds).toBeUndefined();
    // runs already done at the start do not count
    expect(overallProgress(snapshot({ succeeded: 2, doneAtStart: 2 })).fraction).toBe(0);
  });

  test('event lines', () => {
    const now = snapshot();
    expect(describeEvent({ type: 'started', runId: 'a', attempt: 2, gpus: [0, 1] }, now)).toBe(
      'started a (attempt 2, GPU 0,1)',
    );
    expect(
      describeEvent(
        {
          type: 'finished',
          runId: 'a',
          attempt: 1,
          outcome: 'failed',
          final: true,
          exitCode: 3,
          durationSeconds: 65,
        },
        now,
      ),
    ).toBe('failed a (attempt 1) in 1m 05s: exit code 3');
    expect(describeEvent({ type: 'blocked', runId: 'b', dependencies: ['a'] }, now)).toBe(
      'not starting b: a failed',
    );
    expect(
      describeEvent({ type: 'reconciled', total: 4, done: 1, toStart: 2, adopted: 1 }, now),
    ).toBe('plan: 4 runs, 1 done, 2 to start, 1 already running');
    expect(describeSummary(snapshot({ failed: 1 }))).toBe(
      'done: 1 succeeded, 1 failed, 2 not finished of 4 in 1m 00s',
    );
  });
});

describe('TTY display', () => {
  test('one line per active run and an overall line, none reaching the last column', () => {
    const lines = renderLiveBlock(
      snapshot({
        active: [
          active({
            id: 'b/run',
            progress: { current: 45, total: 100, unit: 'epoch', percent: 45, etaSeconds: 80 },
            startedAt: new Date(0).toISOString(),
          }),
          active({ id: 'a/run', phase: 'starting', gpus: [1] }),
          active({ id: 'c/'.padEnd(200, 'x'), progress: null }),
        ],
      }),
      { columns: 100, rows: 30 },
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('starting a/run  GPU 1');
    expect(lines[1]).toMatch(
      /▕█{9}\s{11}▏ {2}45% {2}b\/run {2}45\/100 epoch {2}ETA 1m 20s {2}1m 00s {2}GPU 0/,
    );
    expect(lines[3]).toMatch(
      /^overall ▕.*1\/4 done · 3 running · 2 waiting · elapsed 1m 00s · ETA/,
    );
    for (const line of lines) expect(line.length).toBeLessThan(100);
  });

  test('more runs than rows: the rest are counted', () => {
    const many = Array.from({ length: 40 }, (_, index) =>
      active({ id: `run_${String(index).padStart(2, '0')}` }),
    );
    const lines = renderLiveBlock(snapshot({ active: many }), { columns: 80, rows: 10 });
    expect(lines).toHaveLength(7);
    expect(lines[5]).toBe('  … and 35 more running');
  });

  test('redraws in place: moves up over the block it drew before, and shows the cursor at the end', () => {
    const stream = Object.assign(new PassThrough(), {
      columns: 80,
      rows: 24,
      isTTY: true,
    }) as unknown as NodeJS.WriteStream;
    let output = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (output += chunk.toString()));
    const reporter = createTtyReporter(stream, { color: false });
    const now = snapshot({ active: [active({})] });
    reporter.event({ type: 'started', runId: 'cdd/run_1', attempt: 1, gpus: [0] }, now);
    reporter.tick!(now);
    reporter.close(snapshot({ succeeded: 4, pending: 0 }));
    expect(output.startsWith('\x1b[?25l')).toBe(true);
    expect(output).toContain('started cdd/run_1 (attempt 1, GPU 0)\n');
    expect(output).toContain('\x1b[2F\x1b[0J'); // two lines drawn (run + overall), then redrawn
    expect(output.endsWith('done: 4 succeeded of 4 in 1m 00s\n\x1b[?25h')).toBe(true);
  });
});

describe('plain reporter', () => {
  test('writes one line per event and a summary, no escape codes', () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const reporter = createPlainReporter(stream, { timestamps: false });
    reporter.event(
      { type: 'retrying', runId: 'a', failedAttempt: 1, delaySeconds: 30 },
      snapshot(),
    );
    reporter.close(snapshot({ succeeded: 4 }));
    expect(output).toBe(
      'retrying a in 30s at the earliest (attempt 1 failed)\ndone: 4 succeeded of 4 in 1m 00s\n',
    );
  });
});

describe('text a job controls is printed without control characters', () => {
  const hostile = 'x\x1b]0;pwned\x07\x1b[2J\x9b1;1H\x07y';
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

  test('in event lines: errors, reasons and warnings', () => {
    const now = snapshot();
    const failed = {
      type: 'finished',
      runId: 'a',
      attempt: 1,
      outcome: 'failed',
      final: true,
    } as const;
    const lines = [
      describeEvent({ ...failed, error: hostile }, now),
      describeEvent({ type: 'lost', runId: 'a', attempt: 1, reason: hostile }, now),
      describeEvent({ type: 'warning', runId: 'a', message: `${hostile}\nsecond line` }, now),
      describeEvent(
        { type: 'retrying', runId: 'a', failedAttempt: 1, delaySeconds: 0, error: hostile },
        now,
      ),
    ];
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines[0]).toBe('failed a (attempt 1): xy');
    expect(lines[2]).toBe('warning: a: xy second line');
  });

  test('in the live block: units', () => {
    const lines = renderLiveBlock(
      snapshot({
        active: [
          active({ id: 'a', progress: { current: 3, total: 10, percent: 30, unit: hostile } }),
          active({ id: 'b', progress: { current: 3, unit: hostile } }),
        ],
      }),
      { columns: 120, rows: 30 },
    );
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines[0]).toContain('  a  3/10 xy');
    expect(lines[1]).toContain('  b  3 xy');
  });

  test('by both reporters', () => {
    const tty = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: true });
    const plain = new PassThrough();
    let ttyOutput = '';
    let plainOutput = '';
    tty.on('data', (chunk: Buffer) => (ttyOutput += chunk.toString()));
    plain.on('data', (chunk: Buffer) => (plainOutput += chunk.toString()));
    const event = { type: 'lost', runId: 'a', attempt: 1, reason: hostile } as const;
    const withRun = snapshot({ active: [active({ progress: { current: 1, unit: hostile } })] });
    const ttyReporter = createTtyReporter(tty as unknown as NodeJS.WriteStream, { color: false });
    ttyReporter.event(event, withRun);
    ttyReporter.close(snapshot());
    const plainReporter = createPlainReporter(plain, { timestamps: false });
    plainReporter.event(event, withRun);
    plainReporter.close(snapshot());
    // The display's own cursor codes aside, nothing of the job's text reaches the terminal.
    // eslint-disable-next-line no-control-regex
    const ownCodes = /\x1b\[\?25[lh]|\x1b\[\d+F\x1b\[0J/g;
    expect(ttyOutput.replace(ownCodes, '')).not.toMatch(CONTROL);
    expect(ttyOutput).toContain('lost a (attempt 1): xy\n');
    expect(plainOutput).toBe(
      'lost a (attempt 1): xy\ndone: 1 succeeded, 3 not finished of 4 in 1m 00s\n',
    );
  });
});

describe('runs skipped because they ended before this launch', () => {
  const skipped = {
    type: 'skipped',
    runId: 'sweep/lr=1',
    outcome: 'failed',
    attempt: 2,
    error: 'exited with code 3',
    retryFailedWouldRun: true,
    commandChanged: false,
  } as const;

  test('a failed one says that --retry-failed runs it again', () => {
    expect(describeEvent(skipped, snapshot())).toBe(
      'skipped sweep/lr=1 (failed, attempt 2: exited with code 3): use --retry-failed to run it again',
    );
    expect(describeEvent({ ...skipped, outcome: 'cancelled', error: null }, snapshot())).toBe(
      'skipped sweep/lr=1 (cancelled, attempt 2): use --retry-failed to run it again',
    );
  });

  test('one whose command changed since it ran says so', () => {
    expect(describeEvent({ ...skipped, commandChanged: true }, snapshot())).toBe(
      'skipped sweep/lr=1 (failed, attempt 2: exited with code 3): its command changed since it ran; use --retry-failed to run it again',
    );
    expect(
      describeEvent(
        {
          ...skipped,
          outcome: 'succeeded',
          error: null,
          retryFailedWouldRun: false,
          commandChanged: true,
        },
        snapshot(),
      ),
    ).toBe(
      'skipped sweep/lr=1 (succeeded, attempt 2): its command changed since it ran; it succeeded, so it is not run again (remove its run folder to rerun it)',
    );
  });
});
