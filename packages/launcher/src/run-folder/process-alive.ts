import { hostname } from 'node:os';
import { isProcessAlive } from '@runboard/locking';

const thisHost = hostname();

/**
 * Liveness probe for {@link deriveState}: `@runboard/locking`'s one liveness rule (exists, not
 * a zombie) for processes of this host, `undefined` for other hosts.
 *
 * @example
 * displayStatus(record, { isProcessAlive: isLocalProcessAlive });
 */
export function isLocalProcessAlive(host: string, pid: number): boolean | undefined {
  return host === thisHost ? isProcessAlive(pid) : undefined;
}
