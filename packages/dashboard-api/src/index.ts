export * from './errors.js';
export * from './run-index/index.js';
export * from './run-files/index.js';
export * from './resources/index.js';
export * from './notices/index.js';
export { SHARED_FILE_SYSTEM_TYPES, sharedFileSystemOf } from './run-index/shared-file-system.js';
export type { SharedFileSystem, StatFsReader } from './run-index/shared-file-system.js';
export * from './http/index.js';
export * from './server/index.js';
