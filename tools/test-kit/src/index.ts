export * from './temp-dir.js';
export * from './fake-nvidia-smi.js';
export * from './run-folders.js';
export * from './slurm.js';
export * from './describe-or-skip.js';
