import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The program of a standby process (`node [node flags] --input-type=module -e STANDBY_PROGRAM
 * CONFIG`): it imports the `preload` modules (so the supervisor's code is loaded and compiled
 * ahead), then waits for one assignment on stdin — `{ argv, env, cwd }`, ended by closing
 * stdin — and becomes that process: environment, working folder and `process.argv` replaced,
 * then the script `argv[0]` is imported. Stdin closed without an assignment (the launcher left
 * or died): it exits.
 */
const STANDBY_PROGRAM = `
import { pathToFileURL } from 'node:url';
const config = JSON.parse(process.argv[process.argv.length - 1]);
const warmed = Promise.all(config.preload.map((specifier) => import(specifier).catch(() => undefined)));
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  if (input === '') process.exit(0);
  let assignment;
  try { assignment = JSON.parse(input); } catch { process.exit(0); }
  process.stdin.destroy();
  await warmed;
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, assignment.env);
  process.chdir(assignment.cwd);
  process.argv = [process.execPath, ...assignment.argv];
  await import(pathToFileURL(assignment.argv[0]).href);
});
`;

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

/** A pre-started exec process, waiting for its run. */
export class Standby {
  readonly child: ChildProcess;
  #used = false;

  constructor(command: NodeCommand, preload: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(
      command.node,
      [
        ...command.nodeFlags,
        '--input-type=module',
        '-e',
        STANDBY_PROGRAM,
        JSON.stringify({ preload }),
      ],
      // Detached like every supervisor; stdin is the only tie, and it is cut on assignment.
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env },
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
  assign(assignment: { argv: string[]; env: NodeJS.ProcessEnv; cwd: string }): Promise<void> {
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
