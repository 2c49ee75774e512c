import { RunboardError } from '@runboard/locking';

/** Stable codes of the SSH executor's errors. */
export const SSH_ERROR_CODES = {
  unreachable: 'RUNBOARD_SSH_UNREACHABLE',
  hostCheck: 'RUNBOARD_SSH_HOST_CHECK',
  start: 'RUNBOARD_SSH_START',
} as const;

export type SshErrorCode = (typeof SSH_ERROR_CODES)[keyof typeof SSH_ERROR_CODES];

/** An `ssh` command to a server failed (the connection, or the command there). */
export class SshCommandError extends RunboardError<SshErrorCode> {
  /** ssh was killed after its time limit: the command may have run there (or still runs). */
  readonly timedOut: boolean;

  constructor(
    readonly server: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options: { code?: SshErrorCode; cause?: unknown; what?: string; timedOut?: boolean } = {},
  ) {
    const detail = stderr.trim().split('\n').filter(Boolean).slice(-2).join('; ');
    super(
      options.code ?? SSH_ERROR_CODES.unreachable,
      `${options.what ?? 'ssh'} on server ${server} failed` +
        (exitCode === null ? '' : ` (exit ${exitCode})`) +
        (detail ? `: ${detail}` : ''),
      { cause: options.cause },
    );
    this.timedOut = options.timedOut ?? false;
  }
}

/**
 * A server is not fit for runs: the shared root is not mounted there, or its runboard is missing
 * or another version. Thrown before any run is claimed there.
 */
export class SshHostCheckError extends RunboardError<typeof SSH_ERROR_CODES.hostCheck> {
  constructor(
    readonly server: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(SSH_ERROR_CODES.hostCheck, `server ${server}: ${problem}`, options);
  }
}
