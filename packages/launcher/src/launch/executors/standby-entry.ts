// The program of a warm standby (see standby.ts), started by path:
//   node [execCommand's node flags] standby-entry.js '{"preload":[…]}'
// It imports the `preload` modules (so the supervisor's code is loaded and compiled ahead), then
// waits for one assignment on stdin — a StandbyAssignment, ended by closing stdin — and becomes
// that process: environment, working folder and `process.argv` replaced, then the script
// `argv[0]` is imported. Stdin closed without an assignment (the launcher left or died): it exits.
import { pathToFileURL } from 'node:url';

/** What the launcher writes to a standby's stdin: the process it is to become. */
export interface StandbyAssignment {
  /** The script, then its arguments (`process.argv` without node). */
  argv: string[];
  /** Replaces the standby's whole environment. */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The standby's one argument. */
export interface StandbyConfig {
  preload: string[];
}

const config = JSON.parse(process.argv[process.argv.length - 1] ?? '{}') as StandbyConfig;
const warmed = Promise.all(
  config.preload.map((specifier) => import(specifier).catch(() => undefined)),
);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => void become(input));

async function become(text: string): Promise<void> {
  if (text === '') process.exit(0);
  let assignment: StandbyAssignment;
  try {
    assignment = JSON.parse(text) as StandbyAssignment;
  } catch {
    process.exit(0);
  }
  process.stdin.destroy();
  await warmed;
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, assignment.env);
  process.chdir(assignment.cwd);
  process.argv = [process.execPath, ...assignment.argv];
  await import(pathToFileURL(assignment.argv[0]).href);
}
