import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InvalidRunIdError } from '@runboard/launcher';
import { API_ERROR_CODES, ApiError, runNotFound } from './api-error.js';

/**
 * The folder of run `id` (a valid id) under `root` (a real path, as `RunIndex.root`), checked
 * to stay inside the root also through symbolic links, without blocking the event loop: one
 * `realpath` per request, which on a network file system may take a while.
 *
 * @throws {ApiError} 400 `INVALID_RUN_ID` when the folder resolves outside the root (or in a
 * loop); 404 `RUN_NOT_FOUND` when it is gone (the index drops the run at its next look).
 * @example
 * const runDir = await runFolderOf(index.root, 'sweep/a'); // '/data/logs/sweep/a'
 */
export async function runFolderOf(root: string, id: string): Promise<string> {
  const runDir = join(root, ...id.split('/'));
  let real: string;
  try {
    real = await realpath(runDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw runNotFound(id);
    if (code === 'ELOOP') throw invalidRunFolder(id, 'its folder is a loop of symbolic links');
    throw error;
  }
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
    throw invalidRunFolder(id, `its folder resolves outside the root ${root}`);
  return runDir;
}

function invalidRunFolder(id: string, reason: string): ApiError {
  const error = new InvalidRunIdError(id, reason);
  return new ApiError(400, API_ERROR_CODES.invalidRunId, error.message, { cause: error });
}
