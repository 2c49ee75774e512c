/** The stable `code` of every error the supervisor throws. */
export const SUPERVISOR_ERROR_CODES = {
  /** The record belongs to another attempt or supervisor, or the attempt already ended. */
  superseded: 'RUNBOARD_RUN_SUPERSEDED',
  /** A live supervisor already runs this run (standalone `runboard exec` without `--attempt`). */
  active: 'RUNBOARD_RUN_ACTIVE',
  /** `progress.json` holds something that is not a run record. */
  invalidRecord: 'RUNBOARD_INVALID_RECORD',
  /** The exec command line is wrong (unknown flag, bad number, no command). */
  usage: 'RUNBOARD_EXEC_USAGE',
} as const;

export type SupervisorErrorCode =
  (typeof SUPERVISOR_ERROR_CODES)[keyof typeof SUPERVISOR_ERROR_CODES];

/** Base class of the supervisor's errors: a stable `code` and the run folder involved. */
export class SupervisorError extends Error {
  override name = 'SupervisorError';

  constructor(
    readonly code: SupervisorErrorCode,
    readonly runDir: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The run's record is at another attempt, owned by another supervisor, or already finished. */
export class RunSupersededError extends SupervisorError {
  override name = 'RunSupersededError';
  declare readonly code: typeof SUPERVISOR_ERROR_CODES.superseded;

  constructor(runDir: string, reason: string) {
    super(
      SUPERVISOR_ERROR_CODES.superseded,
      runDir,
      `Run in ${runDir} is not this supervisor's to run: ${reason}`,
    );
  }
}

/** Another supervisor is alive and heartbeating for this run. */
export class RunActiveError extends SupervisorError {
  override name = 'RunActiveError';
  declare readonly code: typeof SUPERVISOR_ERROR_CODES.active;

  constructor(runDir: string, reason: string) {
    super(SUPERVISOR_ERROR_CODES.active, runDir, `Run in ${runDir} is already running: ${reason}`);
  }
}

/** `progress.json` does not hold a run record; the supervisor leaves it alone. */
export class InvalidRunRecordError extends SupervisorError {
  override name = 'InvalidRunRecordError';
  declare readonly code: typeof SUPERVISOR_ERROR_CODES.invalidRecord;

  constructor(file: string, cause: unknown) {
    super(SUPERVISOR_ERROR_CODES.invalidRecord, undefined, `Not a run record: ${file}`, { cause });
  }
}

/** A wrong exec command line. */
export class ExecUsageError extends SupervisorError {
  override name = 'ExecUsageError';
  declare readonly code: typeof SUPERVISOR_ERROR_CODES.usage;

  constructor(message: string, options?: ErrorOptions) {
    super(SUPERVISOR_ERROR_CODES.usage, undefined, message, options);
  }
}
