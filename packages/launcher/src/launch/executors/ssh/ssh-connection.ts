import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ResolvedServer } from '../../../plan/resolve-servers.js';
import { runCommand } from './run-command.js';
import { SshCommandError } from './ssh-errors.js';

/** What one remote command printed. */
export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command was killed after its time limit (whether it ran there is unknown). */
  timedOut?: boolean;
}

/**
 * Where a server's commands run: over SSH ({@link SshConnection}) or, for a pool's `localhost`
 * servers, on this machine (`LocalShell`). The monitor probes both alike.
 */
export interface ServerShell {
  readonly server: ResolvedServer;
  /** Runs a shell command line there; rejects only when it cannot be run at all. */
  run(command: string, options?: { input?: string; timeoutMs?: number }): Promise<SshResult>;
}

export interface SshConnectionOptions {
  /** The private folder (0700) of the ControlMaster sockets. */
  controlDir: string;
  /** Arguments before the host, e.g. `['-F', '/path/ssh_config']`. */
  sshArgs?: readonly string[];
  /** The `ssh` program (default `ssh` on `PATH`). */
  ssh?: string;
  /** How long the master connection outlives its last use (default 600 s). */
  persistSeconds?: number;
  /** Give up a command after this long (default 30 s). */
  timeoutMs?: number;
}

/** ssh's own exit status for a connection failure (the remote command's is passed through). */
const SSH_CONNECTION_FAILED = 255;

/**
 * Commands on one server through the system `ssh` client (so `~/.ssh/config`, agents, jump
 * hosts and known_hosts apply), over one OpenSSH ControlMaster connection: the first command
 * opens it alone, every later one is a channel of it, so many commands cost one handshake.
 *
 * @example
 * const connection = new SshConnection(server, { controlDir });
 * const { stdout } = await connection.run('hostname');
 * await connection.close();
 */
export class SshConnection implements ServerShell {
  readonly server: ResolvedServer;
  readonly #options: SshConnectionOptions;
  /** The master is being opened (or is open): other commands wait for it. */
  #master: Promise<void> | undefined;
  /** Remote commands run, for tests and the benchmark. */
  commands = 0;

  constructor(server: ResolvedServer, options: SshConnectionOptions) {
    this.server = server;
    this.#options = options;
  }

  /** `ssh`'s arguments up to and including the host. */
  get baseArgs(): string[] {
    return this.#args('auto');
  }

  /** `ssh`'s arguments up to and including the host; `controlMaster: 'no'`: a channel only. */
  #args(controlMaster: 'auto' | 'no'): string[] {
    const { server } = this;
    const options = this.#options;
    const args = [
      ...(options.sshArgs ?? []),
      '-o',
      `ControlMaster=${controlMaster}`,
      '-o',
      `ControlPath=${join(options.controlDir, '%C')}`,
      '-o',
      `ControlPersist=${options.persistSeconds ?? 600}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'ServerAliveInterval=5',
      '-o',
      'ServerAliveCountMax=2',
      '-T',
    ];
    if (server.user !== undefined) args.push('-l', server.user);
    if (server.port !== undefined) args.push('-p', String(server.port));
    if (server.identityFile !== undefined)
      args.push('-i', server.identityFile.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
    args.push(server.host);
    return args;
  }

  /**
   * Runs `command` (a shell command line) on the server. Rejects with {@link SshCommandError}
   * only when the connection fails (ssh's status 255); a failing remote command resolves with
   * its status.
   */
  async run(
    command: string,
    options: { input?: string; timeoutMs?: number } = {},
  ): Promise<SshResult> {
    const opening = this.#master;
    if (opening) await opening.catch(() => undefined);
    let result: SshResult;
    if (!this.#master) {
      let done!: () => void;
      this.#master = new Promise((resolve) => (done = resolve));
      try {
        result = await this.#spawn(command, options);
      } finally {
        done();
      }
    } else result = await this.#spawn(command, options);
    if (result.code === SSH_CONNECTION_FAILED) {
      this.#master = undefined; // the next command opens a fresh one, alone
      throw new SshCommandError(this.server.name, result.code, result.stderr, {
        timedOut: result.timedOut,
      });
    }
    return result;
  }

  /**
   * Starts `command` on the server as a channel of the open master and returns the local `ssh`
   * client at once, with stdin, stdout and stderr piped: for a remote process that talks with
   * the launcher while it runs (a standby). `undefined` while no master is open: this client
   * must never become the master, since ending it would end every command of the server.
   */
  openChannel(command: string): ChildProcess | undefined {
    if (!this.#master) return undefined;
    this.commands++;
    return spawn(this.#options.ssh ?? 'ssh', [...this.#args('no'), '--', command], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Asks the master to exit (the launch is over). */
  async close(): Promise<void> {
    this.#master = undefined;
    await this.#spawnRaw(['-O', 'exit', ...this.baseArgs], {
      timeoutMs: 5_000,
    }).catch(() => undefined);
  }

  #spawn(command: string, options: { input?: string; timeoutMs?: number }): Promise<SshResult> {
    this.commands++;
    return this.#spawnRaw([...this.baseArgs, '--', command], options);
  }

  async #spawnRaw(
    args: string[],
    options: { input?: string; timeoutMs?: number },
  ): Promise<SshResult> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 30_000;
    try {
      const result = await runCommand(this.#options.ssh ?? 'ssh', args, { ...options, timeoutMs });
      const { code, stdout, stderr, timedOut } = result;
      return { code: result.signal ? SSH_CONNECTION_FAILED : code, stdout, stderr, timedOut };
    } catch (error) {
      throw new SshCommandError(this.server.name, null, (error as Error).message, {
        cause: error,
      });
    }
  }
}
