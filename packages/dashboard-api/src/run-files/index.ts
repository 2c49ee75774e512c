export { DEFAULT_LOG_TAIL_LINES, MAX_LOG_BYTES, MAX_LOG_TAIL_LINES, readLog } from './log-tail.js';
export type { LogChunk, ReadLogOptions } from './log-tail.js';
export {
  DEFAULT_METRICS_POINTS,
  MAX_METRICS_BYTES,
  MAX_METRICS_POINTS,
  readMetricsHistory,
} from './metrics-history.js';
export type { MetricsHistory, MetricsPoint, ReadMetricsOptions } from './metrics-history.js';
export { followLog } from './log-follower.js';
export type { FollowLogOptions } from './log-follower.js';
