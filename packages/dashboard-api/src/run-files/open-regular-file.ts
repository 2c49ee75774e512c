import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/**
 * Opens a run file for reading, refusing a symbolic link (so `run.log -> /etc/shadow` cannot be
 * served) and anything but a regular file. `undefined` when the file does not exist.
 */
export async function openRegularFile(
  path: string,
): Promise<{ handle: FileHandle; size: number; inode: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
    return { handle, size: stats.size, inode: stats.ino };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function readRange(
  handle: FileHandle,
  start: number,
  length: number,
): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}
