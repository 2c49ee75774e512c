import type { RunIndex } from '../run-index/run-index.js';
import { ResourceSampler } from './resource-sampler.js';
import type { ResourceSamplerOptions } from './resource-sampler.js';
import { ServerPoolSampler } from './server-pool-sampler.js';
import type { ServerPoolSamplerOptions } from './server-pool-sampler.js';

/** How the dashboard samples the root's SSH server pool; `false`: not at all. */
export type ServerPoolOptions = Omit<ServerPoolSamplerOptions, 'root'> | false;

/**
 * The resources sampler of a dashboard over `index`: this machine, with GPU processes labelled
 * by the runs recorded on this host, and the pool named by the root's `.runboard/servers.json`,
 * each server's processes labelled by the runs recorded on its hostname.
 *
 * @example
 * const sampler = createIndexResourceSampler(index, { serverPool: { sshArgs: ['-F', 'ssh_config'] } });
 * const { servers } = await sampler.sample();
 */
export function createIndexResourceSampler(
  index: RunIndex,
  options: { resources?: ResourceSamplerOptions; serverPool?: ServerPoolOptions } = {},
): ResourceSampler {
  const { serverPool } = options;
  return new ResourceSampler({
    runIdForPid: () => index.localRunPids(),
    runPidsOnHost: (hostname) => index.localRunPids(hostname),
    ...(serverPool === false
      ? {}
      : { pool: new ServerPoolSampler({ ...serverPool, root: index.root }) }),
    ...options.resources,
  });
}
