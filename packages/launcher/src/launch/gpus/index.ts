export * from './parse-nvidia-smi.js';
export * from './nvidia-smi.js';
export * from './gpu-policy.js';
export * from './gpu-slots.js';
export * from './server-slots.js';
export * from './place-on-server.js';
