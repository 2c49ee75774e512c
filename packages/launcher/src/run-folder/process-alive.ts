import { hostname } from 'node:os';

const thisHost = hostname();

/**
 * Liveness probe for {@link deriveState}: tells for processes of this host (signal 0),
 * `undefined` for other hosts.
 *
 * @example
 * displayStatus(record, { isProcessAlive: isLocalProcessAlive });
 */
export function isLocalProcessAlive(host: string, pid: number): boolean | undefined {
  if (host !== thisHost) return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
