/** Every Nx project of the workspace, bottom layer first. */
export const PROJECTS = [
  'tools/test-kit',
  'packages/locking',
  'packages/json-io',
  'packages/launcher',
  'packages/dashboard-api',
  'apps/web',
  'apps/cli',
];
