import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StandbyAssignment, StandbyConfig } from './standby-entry.js';

/**
 * The standby program, compiled beside this module (`dist/`); `undefined` where it is not
 * there (running from source: give `standbyEntry` to the local executor).
 */
export function defaultStandbyEntry(): string | undefined {
  const entry = fileURLToPath(new URL('./standby-entry.js', import.meta.url));
  return existsSync(entry) ? entry : undefined;
}

/** `execCommand` split into node, node's own flags, the script and the script's arguments. */
export interface NodeCommand {
  node: string;
  nodeFlags: string[];
  script: string;
  args: string[];
}

/**
 * Splits `[node, ...flags, script, ...args]`; `undefined` when the command is not a node script
 * (then there is no standby). Flags that take a separate value (`--import x`, `-r x`) are kept
 * with it.
 */
export function parseNodeCommand(execCommand: readonly string[]): NodeCommand | undefined {
  const [node, ...rest] = execCommand;
  if (!node || !/(^|[/\\])node(\.exe)?$/.test(node)) return undefined;
  const nodeFlags: string[] = [];
  let index = 0;
  while (index < rest.length && rest[index].startsWith('-')) {
    const flag = rest[index];
    if (flag === '-e' || flag === '--eval' || flag === '-p' || flag === '--print' || flag === '-')
      return undefined;
    nodeFlags.push(flag);
    if (
      [
        '--import',
        '--require',
        '-r',
        '--loader',
        '--experimental-loader',
        '--conditions',
        '-C',
      ].includes(flag)
    ) {
      if (index + 1 >= rest.length) return undefined;
      nodeFlags.push(rest[index + 1]);
      index++;
    }
    index++;
  }
  if (index >= rest.length) return undefined;
  return { node, nodeFlags, script: rest[index], args: rest.slice(index + 1) };
}

/** How to start a {@link Standby}. */
export interface StandbyOptions {
  /** The exec command's node, and its flags (the standby runs with the same ones). */
  command: NodeCommand;
  /** The standby program (`standby-entry.js`, see {@link defaultStandbyEntry}). */
  entry: string;
  /** Modules it imports while it waits. */
  preload: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * A pre-started exec process, waiting for its run: node booted and the `preload` modules
 * loaded, so that a run starts without waiting for either.
 *
 * @example
 * const standby = new Standby({ command, entry, preload: [], env: process.env });
 * await standby.assign({ argv: [script, ...args], env, cwd });
 */
export class Standby {
  readonly child: ChildProcess;
  #used = false;

  constructor(options: StandbyOptions) {
    const config: StandbyConfig = { preload: [...options.preload] };
    this.child = spawn(
      options.command.node,
      [...options.command.nodeFlags, options.entry, JSON.stringify(config)],
      // Detached like every supervisor; stdin is the only tie, and it is cut on assignment.
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: options.env },
    );
    this.child.once('error', () => undefined);
    this.child.stdin!.once('error', () => undefined);
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  /** Whether it can still take a run. */
  get ready(): boolean {
    return (
      !this.#used &&
      this.child.exitCode === null &&
      this.child.signalCode === null &&
      this.child.pid !== undefined &&
      this.child.stdin?.writable === true
    );
  }

  /**
   * Hands it its run: after this it is that run's `runboard exec`. Resolves once the assignment
   * is written; rejects when the process could not take it (the caller then starts a fresh one).
   */
  assign(assignment: StandbyAssignment): Promise<void> {
    this.#used = true;
    const stdin = this.child.stdin!;
    return new Promise((resolve, reject) => {
      stdin.once('error', reject);
      stdin.end(JSON.stringify(assignment), () => resolve());
    });
  }

  /** Lets it exit without a run. */
  dismiss(): void {
    this.#used = true;
    this.child.stdin?.end();
  }
}
