export * from './errors.js';
export * from './gpus/index.js';
export * from './executors/index.js';
export type { LauncherIdentity } from './record-transitions.js';
export * from './reconcile.js';
export * from './launch-events.js';
export * from './launcher.js';
export type { LaunchResult, RunResult } from './launch-result.js';
export * from './dry-run.js';
