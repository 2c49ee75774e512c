import { RunboardError } from '@runboard/locking';

/**
 * An executor's start that could not reach where the run was to start (say, its server stopped
 * answering between its last probe and the start): the launcher puts the run back in the queue
 * without counting the attempt, and places it again. Should the supervisor have started after
 * all, it takes its attempt or finds it superseded, so the run still runs once.
 *
 * @example
 * throw new StartUnreachedError('gpu-a', { cause: sshError });
 */
export class StartUnreachedError extends RunboardError<'RUNBOARD_START_UNREACHED'> {
  /** Where the run was to start (a server's name). */
  readonly target: string;

  constructor(target: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      'RUNBOARD_START_UNREACHED',
      `could not reach ${target} to start the run: ${reason}`,
      options,
    );
    this.target = target;
  }
}
