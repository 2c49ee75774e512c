import type { Stats } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '@runboard/launcher';
import { isSearchableFolderName } from './ignored-names.js';
import { TimeSlice } from './time-slice.js';

export interface WalkRunsOptions {
  maxDepth: number;
  /** Called for each run folder found, with the `lstat` of its `progress.json`. */
  onRun: (id: string, stats: Stats) => void;
  /** Called for each folder searched that is not a run folder (`''` for the root). */
  onFolder?: (id: string) => void;
  /** Walk only this folder (an id-like path below the root) and what is below it. */
  startId?: string;
  /** Called for a folder that cannot be read (other than one that vanished meanwhile). */
  onError: (path: string, error: NodeJS.ErrnoException) => void;
  /** Stops the walk when it returns true. */
  stopped?: () => boolean;
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
 * part of a run id, or symbolic links. Folders are taken from a stack and looked at with
 * synchronous calls in short time slices ({@link TimeSlice}): an `lstat` through
 * `fs/promises` costs several times the CPU of the call itself, and a walk makes one per run.
 */
export async function walkRuns(root: string, options: WalkRunsOptions): Promise<void> {
  const startId = options.startId ?? '';
  // Depth first: the first runs are read while the walk lists the other folders.
  const stack: Folder[] = [
    {
      dir: startId === '' ? root : join(root, ...startId.split('/')),
      id: startId,
      depth: startId === '' ? 0 : startId.split('/').length,
    },
  ];
  const slice = new TimeSlice();
  for (let folder = stack.pop(); folder && !options.stopped?.(); folder = stack.pop()) {
    try {
      visit(folder, stack, options);
    } catch (error) {
      options.onError(folder.dir, error as NodeJS.ErrnoException);
    }
    if (slice.due) await slice.yield();
  }
}

function visit({ dir, id, depth }: Folder, stack: Folder[], options: WalkRunsOptions) {
  // Most folders are run folders: one lstat tells, with no need to list them.
  if (id !== '') {
    try {
      const stats = lstatSync(join(dir, RUN_FILES.progress), { throwIfNoEntry: false });
      if (stats?.isFile()) {
        options.onRun(id, stats);
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
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      options.onError(dir, error as NodeJS.ErrnoException);
    return;
  }
  // Reversed onto the stack: taken in listing order.
  for (const entry of entries.reverse()) {
    if (entry.isDirectory() && isSearchableFolderName(entry.name)) {
      stack.push({
        dir: join(dir, entry.name),
        id: id === '' ? entry.name : `${id}/${entry.name}`,
        depth: depth + 1,
      });
    }
  }
}
