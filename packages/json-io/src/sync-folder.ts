import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const fsyncAsync = promisify(fsync);

/** fsyncs a folder. Only the fsync goes to the thread pool: opening and closing a folder are cheap everywhere. */
export async function syncFolder(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd).catch(ignoreUnsupportedFolderSync);
  } finally {
    closeSync(fd);
  }
}

/** Synchronous {@link syncFolder}. */
export function syncFolderSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    ignoreUnsupportedFolderSync(error);
  } finally {
    closeSync(fd);
  }
}

/** Some file systems (certain network and FUSE mounts) cannot fsync a folder; nothing more can be done there. */
function ignoreUnsupportedFolderSync(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
}
