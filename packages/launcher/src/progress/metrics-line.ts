import { z } from 'zod';
import {
  progressSourceSchema,
  type ProgressSource,
  type ReportedMetrics,
} from './progress-report.js';

/**
 * One line of `metrics.jsonl`: a progress report as the supervisor used it, with the percent
 * and ETA at that moment. Fields the report did not carry are absent. Readers should ignore a
 * torn last line (the supervisor may be writing it).
 */
export interface MetricsLine {
  /** When the report was read, ISO-8601. */
  time: string;
  /** The attempt that reported it; lines of earlier attempts stay in the file. */
  attempt: number;
  source: ProgressSource;
  current?: number;
  total?: number | null;
  unit?: string | null;
  percent?: number | null;
  etaSeconds?: number | null;
  message?: string | null;
  metrics?: ReportedMetrics;
}

/**
 * Checks one parsed line of `metrics.jsonl` (unknown keys are kept).
 *
 * @example
 * const lines = text.split('\n').filter(Boolean).map((line) => metricsLineSchema.parse(JSON.parse(line)));
 */
export const metricsLineSchema = z.looseObject({
  time: z.iso.datetime({ offset: true }),
  attempt: z.number().int().nonnegative(),
  source: progressSourceSchema,
  current: z.number().nonnegative().optional(),
  total: z.number().positive().nullable().optional(),
  unit: z.string().nullable().optional(),
  percent: z.number().min(0).max(100).nullable().optional(),
  etaSeconds: z.number().nonnegative().nullable().optional(),
  message: z.string().nullable().optional(),
  metrics: z.record(z.string(), z.number().nullable()).optional(),
});
