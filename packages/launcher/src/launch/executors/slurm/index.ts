export * from './slurm-executor.js';
export * from './slurm-errors.js';
export { parseSqueue, SlurmQueue, type QueuedJob } from './slurm-queue.js';
export { parseJobCompletion, readJobCompletion, type JobCompletion } from './jobcomp.js';
export { jobComment, jobResources, jobScript, sbatchArgs } from './sbatch-job.js';
