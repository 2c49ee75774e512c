import type { ExecArgvOptions } from '../../supervisor/exec-argv.js';
import { buildExecArgv } from '../../supervisor/exec-argv.js';
import type { ExecSpec } from './executor.js';

/**
 * The `runboard exec` arguments for `spec` (after the `exec` word), built by the supervisor's
 * own {@link buildExecArgv} so both sides read one table of flags. `--quiet`: a detached
 * supervisor has no terminal to copy the job's output to.
 *
 * @example
 * buildExecArgs(spec); // ['--run-dir', '/logs/a', '--run-id', 'a', '--attempt', '1', …, '--', 'python', 'train.py']
 */
export function buildExecArgs(spec: ExecSpec): string[] {
  const options: ExecArgvOptions = {
    runDir: spec.runDir,
    runId: spec.runId,
    attempt: spec.attempt,
    cwd: spec.cwd,
    heartbeatSeconds: spec.heartbeatSeconds,
    command: [...spec.argv],
    passThrough: false,
  };
  if (spec.gpus.length > 0) options.gpus = [...spec.gpus];
  if (spec.timeoutSeconds !== undefined) options.timeoutSeconds = spec.timeoutSeconds;
  if (spec.logMaxBytes !== undefined) options.logMaxBytes = spec.logMaxBytes;
  if (spec.metricsMaxBytes !== undefined) options.metricsMaxBytes = spec.metricsMaxBytes;
  if (spec.epochDirs) {
    options.epochDirs = {
      expectedFiles: [...spec.epochDirs.expectedFiles],
      total: spec.epochDirs.total,
    };
    if (spec.epochDirs.dir !== undefined) options.epochDirs.dir = spec.epochDirs.dir;
  }
  return buildExecArgv(options);
}

/**
 * The environment of the exec process: `base`, then the plan's and run's variables, then
 * `CUDA_VISIBLE_DEVICES` (empty for a run without GPUs in a GPU plan, so it cannot take one).
 *
 * @example
 * spawn(command, args, { env: buildExecEnv(spec, process.env) });
 */
export function buildExecEnv(spec: ExecSpec, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...spec.env };
  if (spec.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = spec.gpus.join(',');
  else if (spec.gpuPlan) env.CUDA_VISIBLE_DEVICES = '';
  return env;
}
