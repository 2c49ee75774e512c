import type { CappedLog } from './capped-log.js';

/** The job's output streams, by the name of this process's stream each is copied to. */
export type OutputStreamName = 'stdout' | 'stderr';

/**
 * Where a supervisor's text goes: the job's output and the supervisor's own notes
 * (`[runboard] …`) into `run.log`, and, with `passThrough`, copies to this process's stdout and
 * stderr. A copy stream that fails (EPIPE once the launcher that read it is gone) is dropped
 * silently; `run.log` still gets everything it can (see {@link CappedLog} for a full disk).
 *
 * @example
 * const output = new SupervisorOutput(new CappedLog(logFile, 10 * 1024 * 1024), true);
 * output.job('stdout', chunk);
 * output.note('stopping the job');
 * output.close();
 */
export class SupervisorOutput {
  private readonly broken = new Set<NodeJS.WriteStream>();
  private readonly stdoutFailed = (): void => void this.broken.add(process.stdout);
  private readonly stderrFailed = (): void => void this.broken.add(process.stderr);

  constructor(
    readonly log: CappedLog,
    private readonly passThrough: boolean,
  ) {
    if (passThrough) {
      process.stdout.on('error', this.stdoutFailed);
      process.stderr.on('error', this.stderrFailed);
    }
  }

  /** A chunk of the job's output on `stream`. */
  job(stream: OutputStreamName, chunk: Buffer): void {
    this.log.write(chunk);
    this.copy(process[stream], chunk);
  }

  /** One line of the supervisor's own, prefixed `[runboard] `, to `run.log` and stderr. */
  note(text: string): void {
    const line = `[runboard] ${text}\n`;
    this.log.write(line);
    this.copy(process.stderr, line);
  }

  /** Closes `run.log` and stops watching this process's streams. */
  close(): void {
    this.log.close();
    process.stdout.off('error', this.stdoutFailed);
    process.stderr.off('error', this.stderrFailed);
  }

  /** Says on stderr that `run.log` cannot be written (the log says how much was dropped once it can). */
  logFailed(error: unknown): void {
    this.copy(
      process.stderr,
      `runboard exec: cannot write ${this.log.path}: ${String(error)}; output is dropped until it can\n`,
    );
  }

  private copy(stream: NodeJS.WriteStream, chunk: Buffer | string): void {
    if (!this.passThrough || this.broken.has(stream)) return;
    try {
      stream.write(chunk);
    } catch {
      this.broken.add(stream);
    }
  }
}
