import { statfsSync } from 'node:fs';
import type { StatsFs } from 'node:fs';

/**
 * File systems whose files other hosts write: the OS's file events (inotify) report only this
 * host's writes there, so the run index polls them. Keys are Linux `statfs` `f_type` magic
 * numbers (`man 2 statfs`, `linux/magic.h`); FUSE covers sshfs, virtiofs, s3fs and the like.
 */
export const SHARED_FILE_SYSTEM_TYPES: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x65735546, 'FUSE'],
  [0x0bd00bd0, 'Lustre'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x517b, 'SMB'],
  [0x01021997, '9p'],
  [0x00c36400, 'CephFS'],
  [0x47504653, 'GPFS'],
  [0x19830326, 'BeeGFS'],
  [0x01161970, 'GFS2'],
  [0x7461636f, 'OCFS2'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'AFS'],
  [0xaad7aaea, 'PanFS'],
  [0x20030528, 'OrangeFS'],
  [0x73757245, 'Coda'],
]);

/** A shared file system found under a path. */
export interface SharedFileSystem {
  /** Its name, e.g. `NFS`, `FUSE`, `Lustre`. */
  name: string;
  /** The `statfs` type (magic number), unsigned. */
  type: number;
}

/** Reads a path's file-system statistics; Node's `fs.statfsSync` unless replaced (tests). */
export type StatFsReader = (path: string) => Pick<StatsFs, 'type'>;

/**
 * The shared file system `path` lies on, or `undefined` for a local one (ext4, xfs, tmpfs …)
 * and where `statfs` fails (the path is gone; whoever reads it next says so).
 *
 * @example
 * sharedFileSystemOf('/mnt/cluster/logs'); // { name: 'NFS', type: 0x6969 }
 * sharedFileSystemOf('/tmp'); // undefined
 */
export function sharedFileSystemOf(
  path: string,
  statfs: StatFsReader = statfsSync,
): SharedFileSystem | undefined {
  let type: number;
  try {
    // f_type is a signed word: a 32-bit kernel reports 0xff534d42 as a negative number.
    type = Number(statfs(path).type) >>> 0;
  } catch {
    return undefined;
  }
  const name = SHARED_FILE_SYSTEM_TYPES.get(type);
  return name === undefined ? undefined : { name, type };
}
