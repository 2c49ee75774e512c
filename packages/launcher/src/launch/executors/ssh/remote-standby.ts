import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  STANDBY_TAKEN,
  type RemoteStandbyAssignment,
} from '../../../supervisor/standby-assignment.js';
import { shellCommand } from './shell-quote.js';
import type { SshConnection } from './ssh-connection.js';

/** How long a standby may take to answer its assignment before the start counts as failed. */
const TAKE_TIMEOUT_MS = 10_000;

/** What the standby's first line starts with, before its pid (lines before it are the login's). */
const PID_LINE = '@runboard-standby-pid ';

/**
 * The remote command of a standby: prints the shell's pid, which `exec` hands on to
 * `runboard standby` (and so to the supervisor it becomes), with the server's own variables.
 *
 * @example
 * standbyCommand({ PATH: '/opt/bin' }, 'runboard');
 * // "echo '@runboard-standby-pid '$$; exec env 'PATH=/opt/bin' runboard standby"
 */
export function standbyCommand(env: Readonly<Record<string, string>>, runboard: string): string {
  const words = ['env', ...Object.entries(env).map(([name, value]) => `${name}=${value}`)];
  return `echo '${PID_LINE}'$$; exec ${shellCommand([...words, runboard, 'standby'])}`;
}

/**
 * A `runboard standby` waiting on a server, over a channel of the server's master connection:
 * node booted and the supervisor loaded there before its run is known, so that a run starts
 * without an ssh start command and without node's boot. {@link assign} sends the run (one line)
 * and, once the standby answers that it took it, closes the channel: the supervisor goes on
 * alone in its own session, as a started one does. A standby whose channel ends (the launcher
 * leaves, the server drops) exits without a run.
 *
 * @example
 * const standby = RemoteStandby.open(connection, server.env, 'runboard');
 * const pid = await standby?.assign({ args: buildExecArgs(spec), env, cwd: spec.runDir });
 */
export class RemoteStandby {
  readonly #client: ChildProcess;
  readonly #lines: string[] = [];
  #waiting: (() => void) | undefined;
  #pid: number | undefined;
  #used = false;
  #closed = false;
  #exitCode: number | null = null;
  #stderr = '';

  /** Starts one on `connection`'s server; `undefined` while its master connection is not open. */
  static open(
    connection: SshConnection,
    env: Readonly<Record<string, string>>,
    runboard: string,
  ): RemoteStandby | undefined {
    const client = connection.openChannel(standbyCommand(env, runboard));
    return client && new RemoteStandby(client);
  }

  private constructor(client: ChildProcess) {
    this.#client = client;
    client.once('error', () => this.#close());
    client.once('close', (code) => {
      this.#exitCode = code;
      this.#close();
    });
    client.stdin!.on('error', () => undefined);
    client.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2000);
    });
    createInterface({ input: client.stdout!, crlfDelay: Infinity }).on('line', (line) => {
      if (this.#pid !== undefined) this.#lines.push(line);
      else if (line.startsWith(PID_LINE)) {
        const pid = Number(line.slice(PID_LINE.length).trim());
        if (Number.isInteger(pid) && pid > 1) this.#pid = pid;
        else this.#client.kill('SIGTERM');
      } // else: what the server's login printed first

      this.#wake();
    });
  }

  /**
   * Whether it can take a run: not used and its channel open, whether it is still coming up or
   * already waiting (a run given to one coming up waits for it, which is sooner than a start).
   */
  get alive(): boolean {
    return !this.#used && !this.#closed;
  }

  /**
   * Whether it ended by itself without taking a run: the server's runboard refused or failed
   * (not ssh losing the server, status 255, nor this launcher closing it, which say nothing
   * about runboard).
   */
  get refused(): boolean {
    return this.#closed && this.#exitCode !== null && this.#exitCode !== 255;
  }

  /** What the remote side printed on stderr (why a standby that ended did), at most 2000 characters. */
  get stderr(): string {
    return this.#stderr.trim();
  }

  /**
   * Hands it its run (written at once: ssh passes it on when the standby reads) and resolves
   * with the supervisor's pid once the standby took it. Rejects when the channel ended or no
   * answer came in 10 s (then it is dismissed).
   */
  async assign(assignment: RemoteStandbyAssignment): Promise<number> {
    if (!this.alive) throw new Error('the standby cannot take a run');
    this.#used = true;
    this.#client.stdin!.write(`${JSON.stringify(assignment)}\n`);
    const deadline = Date.now() + TAKE_TIMEOUT_MS;
    while (this.#lines.length === 0 && !this.#closed && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        timer = setTimeout(resolve, deadline - Date.now());
      });
      clearTimeout(timer);
    }
    const taken = this.#lines.shift() === STANDBY_TAKEN;
    // Taken or not, the channel is no longer needed: the supervisor does not use it.
    this.#client.kill('SIGTERM');
    if (!taken)
      throw new Error(`the standby did not take the run${this.stderr ? `: ${this.stderr}` : ''}`);
    return this.#pid!;
  }

  /** Lets it exit without a run: the channel closes, its stdin ends. */
  dismiss(): void {
    this.#used = true;
    this.#client.kill('SIGTERM');
  }

  #close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
