import type { ResolvedServer } from '../../../plan/resolve-servers.js';
import { runCommand } from './run-command.js';
import type { ServerShell, SshResult } from './ssh-connection.js';

/**
 * A pool's `localhost` server's commands, run on this machine with `sh -c`: the monitor probes
 * it like any server (hostname, processes, and for a `gpuPolicy` load, RAM and `nvidia-smi`
 * with the server's `env`), so the policy holds there too.
 *
 * @example
 * const shell = new LocalShell(server);
 * const { stdout } = await shell.run('hostname');
 */
export class LocalShell implements ServerShell {
  readonly server: ResolvedServer;

  constructor(server: ResolvedServer) {
    this.server = server;
  }

  async run(
    command: string,
    options: { input?: string; timeoutMs?: number } = {},
  ): Promise<SshResult> {
    const result = await runCommand('sh', ['-c', command], {
      input: options.input,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    // Like ssh's status 255 for a remote server: a probe that hung is not an answer.
    if (result.signal) throw new Error(`${this.server.name}: ${result.stderr.trim()}`);
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  }
}
