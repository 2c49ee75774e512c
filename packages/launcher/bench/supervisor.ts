// Supervisor cost per run (issue 4 budget: ≤ 60 MB RSS and ≤ 2% of a core at 20 progress
// lines/s). Starts a real supervisor process per variant, waits until its job runs, lets it
// warm up, then reads its CPU time (utime + stime from /proc/<pid>/stat) over a window and
// samples its VmRSS. Rounds are interleaved across variants; medians are reported.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { distBuilt, execCommand } from './exec-command.js';

const here = dirname(fileURLToPath(import.meta.url));
const jobs = join(here, '..', 'test', 'fixtures', 'jobs');
// The deployed path: `runboard exec` through the CLI (measured when the CLI is built).
const cliBin = join(here, '..', '..', '..', 'apps', 'cli', 'bin', 'runboard.js');
const cliBuilt = existsSync(join(here, '..', '..', '..', 'apps', 'cli', 'dist', 'main.js'));

/** One measured process. */
interface Sample {
  cpuPercent: number;
  rssMb: number;
  recordWritesPerSecond: number;
}

interface Variant {
  name: string;
  /** argv of the measured process, given the run folder. */
  argv: (runDir: string, seconds: number) => string[];
  /** Whether it writes progress.json (the baseline does not). */
  writesRecord: boolean;
}

const LINES_PER_SECOND = 20;

/** A job reporting LINES_PER_SECOND progress lines a second for `seconds`: `script` prints them. */
function progressJob(script: string, seconds: number): string[] {
  return [
    process.execPath,
    join(jobs, script),
    '--steps',
    String(Math.ceil(seconds * LINES_PER_SECOND)),
    '--interval-ms',
    String(1000 / LINES_PER_SECOND),
  ];
}

/** A supervisor started by `prefix` (plus its exec flags) over a progress job. */
function supervisorVariant(name: string, prefix: string[], script: string): Variant {
  return {
    name,
    writesRecord: true,
    argv: (runDir, seconds) => [
      ...prefix,
      '--run-dir',
      runDir,
      '--',
      ...progressJob(script, seconds),
    ],
  };
}

const variants: Variant[] = [
  ...(cliBuilt
    ? [
        supervisorVariant(
          'runboard exec (CLI bin), markers',
          [process.execPath, cliBin, 'exec'],
          'report-marker.mjs',
        ),
      ]
    : []),
  supervisorVariant('supervisor, ##runboard markers', execCommand(), 'report-marker.mjs'),
  supervisorVariant('supervisor, tqdm bar', execCommand(), 'report-tqdm.mjs'),
  {
    name: 'baseline: minimal Node tee',
    writesRecord: false,
    argv: (runDir, seconds) => [
      process.execPath,
      join(here, 'minimal-tee.mjs'),
      join(runDir, 'run.log'),
      ...progressJob('report-marker.mjs', seconds),
    ],
  },
];

function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat; index 11 and 12 after the command name.
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

async function measure(
  variant: Variant,
  warmupSeconds: number,
  windowSeconds: number,
  ticksPerSecond: number,
): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'runboard-bench-supervisor-'));
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  const [command, ...args] = variant.argv(runDir, warmupSeconds + windowSeconds + 5);
  const child: ChildProcess = spawn(command, args, { stdio: 'ignore', detached: true });
  try {
    const pid = child.pid as number;
    const deadline = Date.now() + 30_000;
    const ready = variant.writesRecord
      ? () =>
          existsSync(join(runDir, 'progress.json')) &&
          /"pid": \d+/.test(readFileSync(join(runDir, 'progress.json'), 'utf8'))
      : () => existsSync(join(runDir, 'run.log'));
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`${variant.name}: did not start`);
      await sleep(50);
    }
    await sleep(warmupSeconds * 1000);
    let writes = 0;
    const watcher = watch(runDir, (event, filename) => {
      if (event === 'rename' && filename === 'progress.json') writes += 1;
    });
    const startTicks = cpuTicks(pid);
    const started = performance.now();
    let peakRss = rssKb(pid);
    while (performance.now() - started < windowSeconds * 1000) {
      await sleep(500);
      peakRss = Math.max(peakRss, rssKb(pid));
    }
    const seconds = (performance.now() - started) / 1000;
    const ticks = cpuTicks(pid) - startTicks;
    watcher.close();
    return {
      cpuPercent: (ticks / ticksPerSecond / seconds) * 100,
      rssMb: peakRss / 1024,
      recordWritesPerSecond: writes / seconds,
    };
  } finally {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(100);
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs the supervisor benchmark and returns its Markdown table. */
export async function runSupervisorBench(
  options: { rounds?: number; warmupSeconds?: number; windowSeconds?: number } = {},
): Promise<string> {
  const rounds = options.rounds ?? 3;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const windowSeconds = options.windowSeconds ?? 12;
  const ticksPerSecond =
    Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const samples = new Map<string, Sample[]>(variants.map((variant) => [variant.name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const variant of variants) {
      const sample = await measure(variant, warmupSeconds, windowSeconds, ticksPerSecond);
      samples.get(variant.name)?.push(sample);
      process.stderr.write(
        `round ${round} ${variant.name}: ${sample.cpuPercent.toFixed(2)}% CPU, ${sample.rssMb.toFixed(1)} MB, ` +
          `${sample.recordWritesPerSecond.toFixed(1)} writes/s\n`,
      );
    }
  }
  const baseline = samples.get(variants[variants.length - 1].name) ?? [];
  const baseCpu = median(baseline.map((sample) => sample.cpuPercent));
  const baseRss = median(baseline.map((sample) => sample.rssMb));
  const rows = variants.map((variant) => {
    const list = samples.get(variant.name) ?? [];
    const cpu = median(list.map((sample) => sample.cpuPercent));
    const rss = median(list.map((sample) => sample.rssMb));
    const writes = median(list.map((sample) => sample.recordWritesPerSecond));
    return `| ${variant.name} | ${cpu.toFixed(2)} % | ${(cpu / baseCpu).toFixed(2)}× | ${rss.toFixed(1)} MB | ${(rss / baseRss).toFixed(2)}× | ${variant.writesRecord ? writes.toFixed(1) : '–'} |`;
  });
  return [
    `Supervisor cost at ${LINES_PER_SECOND} progress lines/s (job output ${LINES_PER_SECOND * 2} lines/s for markers), ` +
      `${rounds} interleaved rounds, ${windowSeconds} s window after ${warmupSeconds} s warm-up, medians; ` +
      `supervisor from ${distBuilt ? 'dist/' : 'source via tsx'}.`,
    '',
    '| process | CPU (of one core) | vs baseline | peak RSS | vs baseline | progress.json writes/s |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Budget: ≤ 2 % of a core and ≤ 60 MB RSS per supervised run.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await runSupervisorBench());
}
