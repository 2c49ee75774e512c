import { open } from 'node:fs/promises';

/** How a job ended, as Slurm's job completion log (`jobcomp/filetxt`) tells it. */
export interface JobCompletion {
  /** COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, … */
  state: string;
  exitCode: number | null;
  signal: number | null;
}

/** Only the log's end is read: recent jobs are there. */
const TAIL_BYTES = 256 * 1024;

/**
 * The last completion of job `jobId` in the `jobcomp/filetxt` log (`JobCompLoc`), or
 * `undefined` when the log has none (or cannot be read: then the run record decides alone).
 *
 * @example
 * await readJobCompletion('/var/log/slurm/jobcomp.log', '1234');
 * // { state: 'FAILED', exitCode: 3, signal: 0 }
 */
export async function readJobCompletion(
  file: string,
  jobId: string,
): Promise<JobCompletion | undefined> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const line = text
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith(`JobId=${jobId} `));
  return line === undefined ? undefined : parseJobCompletion(line);
}

/**
 * One `jobcomp/filetxt` line's end state.
 *
 * @example
 * parseJobCompletion('JobId=7 … JobState=FAILED … ExitCode=3:0');
 * // { state: 'FAILED', exitCode: 3, signal: 0 }
 */
export function parseJobCompletion(line: string): JobCompletion {
  const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1];
  const [code, signal] = (field('ExitCode') ?? '').split(':').map((part) => Number(part));
  return {
    state: field('JobState') ?? 'UNKNOWN',
    exitCode: Number.isInteger(code) ? code : null,
    signal: Number.isInteger(signal) ? signal : null,
  };
}
