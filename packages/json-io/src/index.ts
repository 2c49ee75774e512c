export * from './errors.js';
export * from './read-json.js';
export { NON_FINITE_POLICIES } from './serialize-json.js';
export type { NonFinitePolicy } from './serialize-json.js';
export {
  isTempFileName,
  STALE_TEMP_AGE_MS,
  sweepTempFiles,
  sweepTempFilesSync,
  TEMP_FILE_PATTERN,
} from './temp-files.js';
export type { SweepOptions } from './temp-files.js';
export { createJson, getWriteStats, writeJson, writeJsonSync } from './write-json.js';
export type { WriteJsonOptions, WriteStats } from './write-json.js';
export * from './update-json.js';
export type { JsonValidator } from './validator.js';
