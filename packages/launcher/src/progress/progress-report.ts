import { z } from 'zod';

/** Where a progress report came from. */
export const PROGRESS_SOURCES = {
  /** A `##runboard {json}` line on stdout or stderr. */
  marker: 'marker',
  /** An unmodified tqdm bar. */
  tqdm: 'tqdm',
  /** Complete `epoch_K/` folders. */
  epochDirs: 'epochDirs',
} as const;

/** Checks that a value is one of the {@link PROGRESS_SOURCES} (e.g. `source` in `metrics.jsonl`). */
export const progressSourceSchema = z.enum(PROGRESS_SOURCES);

export type ProgressSource = z.infer<typeof progressSourceSchema>;

/** Numbers reported by a job; `null` stands for NaN or an infinite value. */
export type ReportedMetrics = Record<string, number | null>;

/**
 * One progress report as parsed from a job's output or its epoch folders. Every field is
 * optional: a report may carry only metrics, or only a message.
 */
export interface ProgressReport {
  /** Units done so far. */
  current?: number;
  /** Units in all; `null` when the job says the total is unknown. */
  total?: number | null;
  unit?: string | null;
  message?: string | null;
  metrics?: ReportedMetrics;
}
