export * from './acquire-lock.js';
export * from './backoff-delay.js';
export * from './errors.js';
export { RunboardError, RunboardFileError } from './runboard-error.js';
export type { Lock } from './lock.js';
export { checkLockOptions, LOCK_DEFAULTS } from './lock-options.js';
export type { LockOptions, LockTimings } from './lock-options.js';
export * from './lock-status.js';
export type { LockOwner } from './owner.js';
export * from './with-lock.js';
export { isLockFolderName } from './lock-paths.js';
export {
  isEndedState,
  isProcessAlive,
  parseProcessStat,
  readProcessStat,
  readProcessStatAsync,
} from './process-info.js';
export type { ProcessStat } from './process-info.js';
export {
  checkFunctionOption,
  checkNumberOption,
  checkObjectOption,
  checkStringOption,
} from './check-option.js';
export type { NumberOptionBounds } from './check-option.js';
