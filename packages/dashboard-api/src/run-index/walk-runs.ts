import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '@runboard/launcher';
import { isSearchableFolderName } from './ignored-names.js';
import type { Limiter } from './limiter.js';

export interface WalkRunsOptions {
  limit: Limiter;
  /** Folders being looked at at once. */
  workers: number;
  maxDepth: number;
  /** Called for each run folder found, with the `lstat` of its `progress.json`; awaited. */
  onRun: (id: string, stats: Stats) => Promise<void> | void;
  /** Called for each folder searched that is not a run folder (`''` for the root). */
  onFolder?: (id: string) => void;
  /** Walk only this folder (an id-like path below the root) and what is below it. */
  startId?: string;
  /** Called for a folder that cannot be read (other than one that vanished meanwhile). */
  onError: (path: string, error: NodeJS.ErrnoException) => void;
}

interface Folder {
  dir: string;
  id: string;
  depth: number;
}

/**
 * Finds the run folders under `root`: every folder holding a regular file `progress.json`.
 * A run folder's own sub-folders are not searched (runs do not nest; it keeps checkpoint
 * trees out of the walk), nor are hidden folders, lock folders, folders whose name cannot be
 * part of a run id, or symbolic links. A fixed number of workers take folders from a queue, so
 * the walk holds little in flight however many folders there are.
 */
export async function walkRuns(root: string, options: WalkRunsOptions): Promise<void> {
  const startId = options.startId ?? '';
  const queue: Folder[] = [
    {
      dir: startId === '' ? root : join(root, ...startId.split('/')),
      id: startId,
      depth: startId === '' ? 0 : startId.split('/').length,
    },
  ];
  let next = 0;
  let active = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (active < options.workers && next < queue.length) {
        const folder = queue[next];
        next += 1;
        active += 1;
        visit(folder, queue, options).then(done, (error: NodeJS.ErrnoException) => {
          options.onError(folder.dir, error);
          done();
        });
      }
      if (active === 0 && next >= queue.length) resolve();
    };
    const done = (): void => {
      active -= 1;
      pump();
    };
    pump();
  });
}

async function visit(
  { dir, id, depth }: Folder,
  queue: Folder[],
  options: WalkRunsOptions,
): Promise<void> {
  // Most folders are run folders: one lstat tells, with no need to list them.
  if (id !== '') {
    try {
      const stats = await options.limit(() => lstat(join(dir, RUN_FILES.progress)));
      if (stats.isFile()) {
        await options.onRun(id, stats);
        return;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return;
      if (code !== 'ENOENT') options.onError(dir, error as NodeJS.ErrnoException);
    }
  }
  if (depth >= options.maxDepth) return;
  options.onFolder?.(id);
  let entries;
  try {
    entries = await options.limit(() => readdir(dir, { withFileTypes: true }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      options.onError(dir, error as NodeJS.ErrnoException);
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && isSearchableFolderName(entry.name)) {
      queue.push({
        dir: join(dir, entry.name),
        id: id === '' ? entry.name : `${id}/${entry.name}`,
        depth: depth + 1,
      });
    }
  }
}
