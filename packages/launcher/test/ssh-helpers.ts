import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { SIMULATED_HOSTS, SSH_ARGS, SSH_CI_DIR, sshRun } from '@runboard/test-kit/ssh-hosts';
import type { LaunchOptions } from '../src/index.js';
import { loadPlan } from '../src/index.js';
import {
  createSshExecutor,
  type SshExecutor,
  type SshExecutorOptions,
} from '../src/launch/executors/ssh/index.js';
import {
  entryBundles,
  FIXTURES,
  launchAndCollect,
  readRecords,
  startLauncher,
  writePlan,
  type LauncherProcess,
} from './launch-helpers.js';

export { SSH_ARGS, sshRun, sshSkipReason } from '@runboard/test-kit/ssh-hosts';
/** `runboard` on the simulated hosts: the bundled supervisor (fixtures/ssh/runboard.sh). */
export const REMOTE_RUNBOARD = join(FIXTURES, 'ssh', 'runboard.sh');
/** The two hosts tools/ci/start-sshd.sh starts by default. */
export const HOSTS = SIMULATED_HOSTS;

/** The env of the simulated hosts' runs: the bundled supervisor, its node and the mark log. */
export async function serverEnv(dir: string): Promise<Record<string, string>> {
  return {
    RB_NODE: process.execPath,
    RB_EXEC_BUNDLE: (await entryBundles()).exec,
    MARK_LOG: join(dir, 'marks.log'),
  };
}

/** A server entry of a plan for a simulated host. */
export async function server(
  dir: string,
  name: string,
  fields: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  return {
    name,
    runboard: REMOTE_RUNBOARD,
    ...fields,
    env: { ...(await serverEnv(dir)), ...(fields.env as object | undefined) },
  };
}

/** Writes an SSH plan (heartbeat every second) over `servers` (default: gpu-a and gpu-b, CPU only). */
export async function writeSshPlan(dir: string, plan: Record<string, unknown>): Promise<string> {
  return writePlan(dir, {
    heartbeatSeconds: 1,
    stalledAfterSeconds: 6,
    servers:
      plan.servers ?? (await Promise.all(HOSTS.map((host) => server(dir, host, { maxRuns: 2 })))),
    ...plan,
  });
}

/** The SSH executor for a plan file, over the simulated hosts' ssh_config. */
export async function sshExecutor(
  planFile: string,
  options: Partial<SshExecutorOptions> = {},
): Promise<SshExecutor> {
  return createSshExecutor({
    plan: await loadPlan(planFile),
    sshArgs: SSH_ARGS,
    probeIntervalMs: 500,
    ...options,
  });
}

/**
 * Starts a launcher process (the bundled launcher entry) on an SSH plan: the executor the plan
 * names, over the simulated hosts' ssh_config.
 */
export function startSshLauncher(planFile: string): Promise<LauncherProcess> {
  return startLauncher(planFile, { RB_SSH_ARGS: JSON.stringify(SSH_ARGS) });
}

/** Launches an SSH plan in this process; resolves with the result, events, marks and records. */
export async function runSshPlan(
  dir: string,
  plan: Record<string, unknown>,
  options: Partial<LaunchOptions> & { executor?: SshExecutor } = {},
) {
  const file = await writeSshPlan(dir, plan);
  const executor = options.executor ?? (await sshExecutor(file));
  try {
    const plan = await loadPlan(file);
    return { ...(await launchAndCollect(dir, { plan, executor, ...options })), executor };
  } finally {
    await executor.shutdown();
  }
}

/** Kills, on its host, every process group a test's runs left (records name host and pids). */
export function killRemoteRuns(root: string): void {
  for (const record of readRecords(root).values()) {
    const host = record.server;
    const pids = [record.supervisorPid, record.pid].filter(
      (pid): pid is number => !!pid && pid > 1,
    );
    if (!host || pids.length === 0) continue;
    sshRun(
      host,
      pids.map((pid) => `kill -KILL -- -${pid} ${pid} 2>/dev/null`).join('; ') + '; true',
    );
  }
}

/** Pids of the standbys waiting on `host` (runboard.sh runs them as `exec-entry.mjs --standby`). */
export function standbysOn(host: string): string {
  return sshRun(host, "pgrep -f -- 'exec-entry.mjs -[-]standby' || true").stdout.trim();
}

/** A fresh temp folder per test, removed afterwards with the runs it left on the hosts. */
export const sshTest = testWithTempDir('runboard-ssh-', (dir) => killRemoteRuns(join(dir, 'logs')));

/** tools/ci/start-sshd.sh of this repository. */
export const START_SSHD = join(FIXTURES, '..', '..', '..', '..', 'tools', 'ci', 'start-sshd.sh');

/** Starts (or keeps) simulated host `name` on `address`; `undefined` on success, else why not. */
export function startHost(name: string, address: string): string | undefined {
  const result = spawnSync('bash', [START_SSHD, `${name}=${address}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return result.status === 0 ? undefined : `${START_SSHD} failed: ${result.stderr || result.error}`;
}

/** Ends simulated host `name` at once: its namespace's init (sshd) and every process in it. */
export function killHost(name: string): void {
  const pid = Number(readFileSync(join(SSH_CI_DIR, 'hosts', name, 'ns.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
}
