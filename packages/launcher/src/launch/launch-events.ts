import type { RunProgress, RunRecord } from '../run-folder/run-record.js';
import type { RunOutcome } from './reconcile.js';

/** What happens during a launch, in order, for reporters and callers. */
export type LaunchEvent =
  /**
   * Reconciliation is done: how the runs stand before anything starts. `done`: runs whose record
   * says they are finished; `unreadable`: runs whose folder or record could not be read or
   * written (each also gets a `warning` and ends failed).
   */
  | {
      type: 'reconciled';
      total: number;
      done: number;
      toStart: number;
      adopted: number;
      unreadable?: number;
    }
  /**
   * A run that ended before this launch and does not run again: every failed or cancelled one,
   * and a succeeded one whose command changed since.
   */
  | {
      type: 'skipped';
      runId: string;
      outcome: RunOutcome;
      attempt: number;
      error?: string | null;
      /** Failed or cancelled: `--retry-failed` would run it again. */
      retryFailedWouldRun: boolean;
      /** The plan's command, env or cwd differs from what its latest attempt ran (`commandHash`). */
      commandChanged: boolean;
    }
  /** This launcher started an attempt. */
  | { type: 'started'; runId: string; attempt: number; gpus: readonly number[]; pid?: number }
  /** A run someone else started (an earlier launcher, another live one) is watched and keeps its slot. */
  | { type: 'adopted'; runId: string; attempt: number; gpus: readonly number[] }
  /** An attempt ended; `final` when the run will not start again in this launch. */
  | {
      type: 'finished';
      runId: string;
      attempt: number;
      outcome: RunOutcome;
      final: boolean;
      error?: string | null;
      exitCode?: number | null;
      durationSeconds?: number;
    }
  /** A failed attempt will be retried: its retry is queued. */
  | {
      type: 'retrying';
      runId: string;
      failedAttempt: number;
      delaySeconds: number;
      /**
       * When the retry delay ends (ISO time): the earliest start, not a promise; the retry is
       * queued and then waits for a slot like any run (its record's `waiting` says why).
       */
      retryAfter?: string | null;
      error?: string | null;
    }
  /** A run's supervisor was found gone; the run was recorded failed (lost). */
  | { type: 'lost'; runId: string; attempt: number; reason: string }
  /** A run was not started because dependencies failed for good. */
  | { type: 'blocked'; runId: string; dependencies: readonly string[] }
  /**
   * Something the user should know that does not stop the launch. A failing operation on a run
   * warns once per condition (`code` and `file`); when it clears, one more warning with
   * `cleared: true` and the number of `failures` in a row.
   */
  | {
      type: 'warning';
      message: string;
      runId?: string;
      code?: string | null;
      file?: string | null;
      failures?: number;
      cleared?: boolean;
    }
  /** The launcher stops starting runs (a signal, or the caller's abort); running ones go on. */
  | { type: 'stopping'; reason: string };

/** How a run stands at one moment of a launch. */
export type RunPhase = 'pending' | 'starting' | 'running' | 'done';

export interface RunSnapshot {
  id: string;
  phase: RunPhase;
  outcome?: RunOutcome;
  attempt: number;
  gpus: readonly number[];
  /** Started by this launcher (else watched). */
  own: boolean;
  status?: RunRecord['status'];
  progress?: RunProgress | null;
  startedAt?: string | null;
  /** Why it did not succeed, for finished runs. */
  error?: string | null;
}

/** The whole launch at one moment: what reporters draw. */
export interface LaunchSnapshot {
  /** When the launch began, ms since the epoch. */
  startedAt: number;
  now: number;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Runs starting or running. */
  active: RunSnapshot[];
  pending: number;
  /** Runs that were already done when the launch began (they do not count for the ETA). */
  doneAtStart: number;
  stopping: boolean;
}

/** Draws a launch: events as they happen, and the state at each tick when `tick` is given. */
export interface LaunchReporter {
  event(event: LaunchEvent, snapshot: LaunchSnapshot): void;
  /** Called every `tickMs` while the launch runs (a live display). */
  tick?(snapshot: LaunchSnapshot): void;
  readonly tickMs?: number;
  /** The launch is over: leave the final state on screen. */
  close(snapshot: LaunchSnapshot): void;
}
