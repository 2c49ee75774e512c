export * from './errors.js';
export {
  SUPERVISOR_DEFAULTS,
  SUPERVISOR_NUMBER_RULES,
  type SupervisorOptions,
  type SupervisorEpochDirs,
} from './supervisor-options.js';
export { ROTATED_LOG_FILE } from './capped-log.js';
export * from './process-group.js';
export { ownershipProblem, type RecordOwner } from './record-writer.js';
export { superviseRun, type SupervisorResult } from './supervise-run.js';
export * from './exec-argv.js';
export { runExecProcess } from './run-exec-process.js';
export * from './standby-assignment.js';
