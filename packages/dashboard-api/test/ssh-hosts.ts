import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { installFakeNvidiaSmi } from '@runboard/test-kit';
import type { NvidiaSmiScenario } from '@runboard/test-kit';
import { sshRun } from '@runboard/test-kit/ssh-hosts';

export { SSH_ARGS, sshRun, sshSkipReason } from '@runboard/test-kit/ssh-hosts';

/**
 * A server `env` that gives a simulated host the fake `nvidia-smi` answering `scenario`, and
 * logs each of its calls to `calls`.
 */
export async function fakeGpuEnv(
  dir: string,
  name: string,
  scenario: NvidiaSmiScenario,
): Promise<{ env: Record<string, string>; calls: string }> {
  const file = join(dir, `${name}-gpus.json`);
  await writeFile(file, JSON.stringify(scenario));
  const bin = dirname(await installFakeNvidiaSmi(join(dir, `bin-${name}`)));
  const calls = join(dir, `${name}-calls.log`);
  return {
    env: {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      FAKE_NVIDIA_SMI_SCENARIO: file,
      FAKE_NVIDIA_SMI_CALLS: calls,
    },
    calls,
  };
}

/**
 * Starts, detached on `host`, a shell (the "job") whose child `sleep` stands for the process
 * on a GPU; resolves with both pids as the host sees them. Killed by {@link killOnHost}.
 */
export function startJobOnHost(host: string, dir: string): { pid: number; childPid: number } {
  const childFile = join(dir, `${host}-child.pid`);
  const answer = sshRun(
    host,
    `setsid sh -c 'sleep 300 & echo $! > ${childFile}; wait' </dev/null >/dev/null 2>&1 & ` +
      `echo $!; while ! test -s ${childFile}; do sleep 0.05; done; cat ${childFile}`,
  );
  const [pid, childPid] = answer.stdout.trim().split('\n').map(Number);
  if (!(pid > 1 && childPid > 1)) throw new Error(`no job on ${host}: ${answer.stdout}`);
  return { pid, childPid };
}

/** Kills the process group of `pid` on `host`. */
export function killOnHost(host: string, pid: number): void {
  sshRun(host, `kill -KILL -- -${pid} ${pid} 2>/dev/null; true`);
}
