// SSH server pool benchmarks (issue 10), on the simulated hosts gpu-a and gpu-b of
// tools/ci/start-sshd.sh (real sshd each, own pid and UTS namespaces, one shared filesystem):
// - turnaround: 200 short runs (a shell job stamping its start and end around a 75 ms sleep)
//   over the two hosts with 2 GPUs each (4 slots). Per server:GPU, the gap from one run's end
//   to the next one's start there, from the records (`finishedAt` → `startedAt`, split at the
//   launcher's `finished` event) and from the job's stamps; wall time, runs/s, and SSH
//   handshakes per run started ('Accepted publickey' lines with the benchmark's own key in the
//   hosts' sshd logs). With standbys waiting on each server (the default) and without (each
//   run started by an ssh command), at the default probe interval (2 s, as `runboard launch`).
// - gpuPolicy cost while runs wait: every GPU busy (fake nvidia-smi, 95 % utilization), 50 runs
//   held by the policy for 20 s: ssh commands (probes) and nvidia-smi calls per server per
//   minute, and what one probe costs.
// The supervisor is the tests' bundle (test/global-setup.ts), started on the hosts through
// test/fixtures/ssh/runboard.sh. Skipped with the reason when the hosts do not answer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installFakeNvidiaSmi, type NvidiaSmiScenario } from '@runboard/test-kit';
import {
  authorizeSshKey,
  type AuthorizedSshKey,
  revokeSshKey,
  SIMULATED_HOSTS,
  SSH_ARGS,
  sshHandshakes,
  sshSkipReason,
} from '@runboard/test-kit/ssh-hosts';
import {
  createSshExecutor,
  launch,
  probeCommand,
  readRunRecord,
  resolvePlan,
  type ResolvedPlan,
  type RunRecord,
} from '../src/index.js';
import setupBundles from '../test/global-setup.js';
import { percentile } from './percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const REMOTE_RUNBOARD = join(here, '..', 'test', 'fixtures', 'ssh', 'runboard.sh');
const HOSTS = SIMULATED_HOSTS;
const JOB_SECONDS = 0.075;
/**
 * The turnaround columns, at the default probe interval (2 s): the 200 runs with
 * standbys waiting on each server (the default), then fewer without standbys (each run started
 * by an ssh command, node booting on the server). Each launch is stopped after `limitMs`, so
 * that the whole benchmark stays under 3 minutes (a column then says how many runs it completed).
 */
const TURNAROUNDS = [
  { warmStandby: true, runs: 200, limitMs: 110_000 },
  { warmStandby: false, runs: 80, limitMs: 40_000 },
];
const PROBE_INTERVAL_MS = 2000;
const WAITING_RUNS = 50;
const POLICY_WINDOW_MS = 20_000;

interface Context {
  dir: string;
  exec: string;
  key: { file: string; fingerprint: string };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Kills on its host every supervisor and job group that unfinished records name. */
function killRemoteRuns(records: readonly (RunRecord | undefined)[]): void {
  for (const host of HOSTS) {
    const kill = records
      .filter((record) => record?.server === host && !record.finishedAt)
      .flatMap((record) => [record?.supervisorPid, record?.pid])
      .filter((pid): pid is number => !!pid && pid > 1)
      .map((pid) => `kill -KILL -- -${pid} ${pid} 2>/dev/null`);
    if (kill.length > 0)
      spawnSync('ssh', [...SSH_ARGS, host, `${kill.join('; ')}; true`], { timeout: 30_000 });
  }
}

function poolPlan(
  context: Context,
  root: string,
  fields: Record<string, unknown>,
  env: (host: string) => Record<string, string> = () => ({}),
): ResolvedPlan {
  const servers = HOSTS.map((name) => ({
    name,
    runboard: REMOTE_RUNBOARD,
    identityFile: context.key.file,
    gpus: [0, 1],
    env: { RB_NODE: process.execPath, RB_EXEC_BUNDLE: context.exec, ...env(name) },
  }));
  return resolvePlan({ root, heartbeatSeconds: 5, servers, ...fields }, { baseDir: context.dir });
}

const runIds = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix}/run_${String(index).padStart(3, '0')}`);

interface Turnaround {
  warmStandby: boolean;
  runs: number;
  completed: number;
  /** Supervisor end → next supervisor start on the same server:GPU (records). */
  recordGaps: number[];
  /** Job end → next job start on the same server:GPU (the job's stamps). */
  jobGaps: number[];
  /** Supervisor end → the launcher's `finished` event (it learned of the end). */
  detectMs: number[];
  /** That event → the next supervisor's start on the slot (claim, ssh start, supervisor boot). */
  restartMs: number[];
  wallMs: number;
  startedRuns: number;
  onStandby: number;
  handshakes: number;
}

/** One run's interval on its slot: start and end (ms), and its id. */
type Interval = [start: number, end: number, id: string];

/** Consecutive pairs of intervals on each slot, `[previous, next]`. */
function slotPairs(intervals: Map<string, Interval[]>): [Interval, Interval][] {
  const pairs: [Interval, Interval][] = [];
  for (const list of intervals.values()) {
    list.sort((a, b) => a[0] - b[0]);
    for (let index = 1; index < list.length; index++) pairs.push([list[index - 1], list[index]]);
  }
  return pairs;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

async function turnaround(
  context: Context,
  { warmStandby, runs, limitMs }: (typeof TURNAROUNDS)[number],
): Promise<Turnaround> {
  const name = warmStandby ? 'standby' : 'cold';
  const root = join(context.dir, `turnaround-${name}`);
  const stamps = join(context.dir, `stamps-${name}.log`);
  const job = `echo "start $RUNBOARD_RUN_ID $(date +%s%N)" >> ${stamps}; sleep ${JOB_SECONDS}; echo "end $RUNBOARD_RUN_ID $(date +%s%N)" >> ${stamps}`;
  const ids = runIds(runs, 'turnaround');
  const plan = poolPlan(context, root, { runs: ids.map((id) => ({ id, command: job })) });
  const before = sshHandshakes(HOSTS, context.key.fingerprint);
  const started = performance.now();
  const executor = await createSshExecutor({
    plan,
    sshArgs: SSH_ARGS,
    probeIntervalMs: PROBE_INTERVAL_MS,
    warmStandby,
  });
  let records: (RunRecord | undefined)[] = [];
  let [wallMs, startedRuns] = [0, 0];
  const seenEnd = new Map<string, number>();
  try {
    await launch({
      plan,
      executor,
      signal: AbortSignal.timeout(limitMs),
      onEvent: (event) => {
        if (event.type === 'started') startedRuns++;
        if (event.type === 'finished') seenEnd.set(event.runId, Date.now());
      },
    });
    wallMs = performance.now() - started;
  } finally {
    await executor.shutdown();
    records = await Promise.all(ids.map((id) => readRunRecord(join(root, id))));
    killRemoteRuns(records);
  }
  const slotOf = new Map<string, string>();
  const bySlot = new Map<string, Interval[]>();
  for (const record of records) {
    if (!record?.startedAt || !record.finishedAt || record.status !== 'succeeded') continue;
    const slot = `${record.server}:${record.gpus?.join(',')}`;
    slotOf.set(record.id, slot);
    push(bySlot, slot, [Date.parse(record.startedAt), Date.parse(record.finishedAt), record.id]);
  }
  const jobTimes = new Map<string, { start?: number; end?: number }>();
  for (const line of existsSync(stamps) ? readFileSync(stamps, 'utf8').trim().split('\n') : []) {
    const [kind, id, nanoseconds] = line.split(' ');
    const times = jobTimes.get(id) ?? {};
    times[kind as 'start' | 'end'] = Number(BigInt(nanoseconds) / 1000n) / 1000;
    jobTimes.set(id, times);
  }
  const jobsBySlot = new Map<string, Interval[]>();
  for (const [id, { start, end }] of jobTimes) {
    const slot = slotOf.get(id);
    if (slot !== undefined && start !== undefined && end !== undefined)
      push(jobsBySlot, slot, [start, end, id]);
  }
  const pairs = slotPairs(bySlot);
  const seen = pairs.filter(([previous]) => seenEnd.has(previous[2]));
  return {
    warmStandby,
    runs,
    completed: slotOf.size,
    recordGaps: pairs.map(([previous, next]) => next[0] - previous[1]),
    jobGaps: slotPairs(jobsBySlot).map(([previous, next]) => next[0] - previous[1]),
    detectMs: seen.map(([previous]) => seenEnd.get(previous[2])! - previous[1]),
    restartMs: seen.map(([previous, next]) => next[0] - seenEnd.get(previous[2])!),
    wallMs,
    startedRuns,
    onStandby: executor.standbys.started,
    handshakes: sshHandshakes(HOSTS, context.key.fingerprint) - before,
  };
}

function turnaroundTable(rows: readonly Turnaround[]): string {
  const line = (name: string, cell: (row: Turnaround) => string, target = '') =>
    `| ${name} | ${rows.map(cell).join(' | ')} | ${target} |`;
  const p = (values: number[]) =>
    `${ms(percentile(values, 0.5))} / ${ms(percentile(values, 0.95))}`;
  return [
    `### Short runs (\`sleep ${JOB_SECONDS}\`) over gpu-a and gpu-b, 2 GPUs each (4 at once)\n`,
    `| measure | ${rows.map((row) => (row.warmStandby ? 'standbys on each server (default)' : 'no standby')).join(' | ')} | target |`,
    `|---|${rows.map(() => '---|').join('')}---|`,
    line('runs succeeded', (row) => `${row.completed} of ${row.runs}`),
    line('runs started on a standby', (row) => `${row.onStandby} of ${row.startedRuns}`),
    line(
      'run end → next start on the same server:GPU, p50 / p95 (records: `finishedAt` → `startedAt`)',
      (row) => p(row.recordGaps),
      'p50 ≤ 300 ms',
    ),
    line('· of which: run end → the launcher sees it (`finished` event), p50 / p95', (row) =>
      p(row.detectMs),
    ),
    line(
      '· of which: seen → next supervisor started (claim; a standby, or ssh start and node boot), p50 / p95',
      (row) => p(row.restartMs),
    ),
    line('job end → next job start on the same server:GPU, p50 / p95', (row) => p(row.jobGaps)),
    line(
      'wall time, runs/s',
      (row) =>
        `${(row.wallMs / 1000).toFixed(1)} s, ${((row.completed * 1000) / row.wallMs).toFixed(2)}`,
    ),
    line(
      'SSH handshakes per run started',
      (row) => `${(row.handshakes / row.startedRuns).toFixed(3)} (${row.handshakes} in all)`,
      '≤ 0.05',
    ),
    '',
  ].join('\n');
}

async function policyTable(context: Context): Promise<string> {
  const root = join(context.dir, 'policy');
  const scenario = join(context.dir, 'busy-gpus.json');
  const busy = { utilizationPercent: 95, memoryUsedMiB: 140_000 };
  writeFileSync(scenario, JSON.stringify({ gpus: [busy, busy] } satisfies NvidiaSmiScenario));
  const calls = (host: string) => join(context.dir, `nvidia-smi-${host}.log`);
  const callCount = (host: string) =>
    existsSync(calls(host)) ? readFileSync(calls(host), 'utf8').split('\n').length - 1 : 0;
  const bin = dirname(await installFakeNvidiaSmi(join(context.dir, 'bin')));
  const ids = runIds(WAITING_RUNS, 'policy');
  const plan = poolPlan(
    context,
    root,
    {
      gpuPolicy: { maxUtilizationPercent: 50 },
      runs: ids.map((id) => ({ id, command: ['true'] })),
    },
    (host) => ({
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      FAKE_NVIDIA_SMI_SCENARIO: scenario,
      FAKE_NVIDIA_SMI_CALLS: calls(host),
    }),
  );
  const before = sshHandshakes(HOSTS, context.key.fingerprint);
  const executor = await createSshExecutor({ plan, sshArgs: SSH_ARGS });
  const controller = new AbortController();
  const launched = launch({ plan, executor, signal: controller.signal });
  const probeMs: number[] = [];
  let window!: { seconds: number; probes: number[]; nvidiaSmi: number[] };
  try {
    const deadline = Date.now() + 30_000;
    while ((await readRunRecord(join(root, ids[0])))?.waiting?.reason !== 'gpu-policy') {
      if (Date.now() > deadline) throw new Error('the policy did not hold the runs in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const commands = () => HOSTS.map((host) => executor.connections.get(host)!.commands);
    const windowStart = Date.now();
    const [commandsBefore, callsBefore] = [commands(), HOSTS.map(callCount)];
    await new Promise((resolve) => setTimeout(resolve, POLICY_WINDOW_MS));
    const seconds = (Date.now() - windowStart) / 1000;
    const [commandsAfter, callsAfter] = [commands(), HOSTS.map(callCount)];
    window = {
      seconds,
      probes: commandsAfter.map((count, index) => count - commandsBefore[index]),
      nvidiaSmi: callsAfter.map((count, index) => count - callsBefore[index]),
    };
    // One probe's round trip over the open connection, as the monitor sends it (the launch
    // closes the connections when it ends).
    const connection = executor.connections.get('gpu-a')!;
    const command = probeCommand({ resources: true, env: connection.server.env });
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      await connection.run(command);
      probeMs.push(performance.now() - start);
    }
  } finally {
    controller.abort(new Error('benchmark over'));
    await launched.catch(() => undefined);
    await executor.shutdown();
  }
  const started = (await Promise.all(ids.map((id) => readRunRecord(join(root, id))))).filter(
    (record) => record?.status !== 'queued',
  ).length;
  const perMinute = (counts: number[]) =>
    counts
      .map((count, index) => `${HOSTS[index]} ${((count * 60) / window.seconds).toFixed(1)}`)
      .join(', ');
  return [
    `### gpuPolicy while ${WAITING_RUNS} runs wait (every GPU 95 % busy, probe every 2 s, ${window.seconds.toFixed(0)} s)\n`,
    '| measure | value |',
    '|---|---|',
    `| probes (ssh commands) per server per minute | ${perMinute(window.probes)} |`,
    `| nvidia-smi calls per server per minute | ${perMinute(window.nvidiaSmi)} |`,
    `| one probe with the policy's queries (round trip, p50 of 5) | ${ms(percentile(probeMs, 0.5))} |`,
    `| runs started while the policy refused every GPU | ${started} |`,
    `| SSH handshakes | ${sshHandshakes(HOSTS, context.key.fingerprint) - before} |`,
    '',
  ].join('\n');
}

/** Runs the SSH server pool benchmarks; returns Markdown tables, or why they were skipped. */
export async function runSshBench(): Promise<string> {
  const reason = sshSkipReason();
  if (reason !== undefined) return `_Skipped: ${reason}._\n`;
  const dir = mkdtempSync(join(tmpdir(), 'runboard-bench-ssh-'));
  let teardown: (() => Promise<void>) | undefined;
  let key: AuthorizedSshKey | undefined;
  try {
    // The tests' global setup bundles the supervisor (and hands its path over as to vitest).
    let exec = '';
    teardown = await setupBundles({
      provide: (_name: string, bundles: { exec: string }) => (exec = bundles.exec),
    } as unknown as Parameters<typeof setupBundles>[0]);
    key = authorizeSshKey(dir, 'runboard-bench');
    const context: Context = { dir, exec, key };
    const rows: Turnaround[] = [];
    for (const settings of TURNAROUNDS) rows.push(await turnaround(context, settings));
    return `${turnaroundTable(rows)}\n${await policyTable(context)}`;
  } finally {
    if (key) revokeSshKey(key);
    await teardown?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runSshBench());
