import { buildExecArgs } from '../exec-args.js';
import type { ExecSpec } from '../executor.js';
import type { ResolvedServer } from '../../../plan/resolve-servers.js';
import { shellCommand, shellQuote } from './shell-quote.js';

/**
 * The command that starts `runboard exec` for `spec` on `server`, detached there: its own
 * session (`setsid`), no terminal, stdio on /dev/null, so the ssh channel closes at once and
 * the run outlives the connection and the launcher. Prints the supervisor's pid.
 *
 * @example
 * await connection.run(startCommand(spec, server, 'runboard')); // stdout: '4242\n'
 */
export function startCommand(spec: ExecSpec, server: ResolvedServer, runboard: string): string {
  const words = [
    'env',
    ...Object.entries(remoteRunEnv(spec, server)).map(([name, value]) => `${name}=${value}`),
    'setsid',
    runboard,
    'exec',
    ...buildExecArgs(spec),
  ];
  return `cd ${shellQuote(spec.runDir)} && { ${shellCommand(words)} </dev/null >/dev/null 2>&1 & } && echo $!`;
}

/**
 * The variables a run's supervisor gets on `server` on top of the login environment: the
 * server's, the run's, and `CUDA_VISIBLE_DEVICES` (empty on a GPU server for a run without GPUs).
 *
 * @example
 * remoteRunEnv(spec, server); // { ...server.env, ...spec.env, CUDA_VISIBLE_DEVICES: '0' }
 */
export function remoteRunEnv(spec: ExecSpec, server: ResolvedServer): Record<string, string> {
  const env: Record<string, string> = { ...server.env, ...spec.env };
  if (spec.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = spec.gpus.join(',');
  else if (server.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = '';
  return env;
}

/** How long an orphaned job gets between SIGTERM and SIGKILL (as on this machine). */
const ORPHAN_GRACE_TENTHS = 50;

/**
 * The command that stops process group `group` on a server (SIGTERM, SIGKILL after 5 s);
 * prints `stopped` when the group was alive.
 *
 * @example
 * await connection.run(stopGroupCommand(12345));
 */
export function stopGroupCommand(group: number): string {
  const target = `-${Math.trunc(group)}`;
  return [
    `kill -0 -- ${target} 2>/dev/null || exit 0`,
    'echo stopped',
    `kill -TERM -- ${target} 2>/dev/null`,
    `i=0; while kill -0 -- ${target} 2>/dev/null && [ $i -lt ${ORPHAN_GRACE_TENTHS} ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -- ${target} 2>/dev/null; exit 0`,
  ].join('\n');
}
