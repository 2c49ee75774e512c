import type { SourcedRunSpec } from './expand-sweeps.js';
import type { PlanProblem } from './plan-problem.js';
import type { PlanInput } from './plan-schema.js';

/** One server of a plan's pool with every default applied. */
export interface ResolvedServer {
  /** What records (`server`), status and the dashboard show. */
  name: string;
  /** What `ssh` connects to (an address, a name, or an alias of `~/.ssh/config`). */
  host: string;
  /** `host` is `localhost`: runs start here, without SSH. */
  local: boolean;
  user?: string;
  port?: number;
  identityFile?: string;
  /** GPU ids to hand out there (empty: CPU runs only). */
  gpus: number[];
  /** The runboard CLI there (undefined: the executor's, else `runboard` on its PATH). */
  runboard?: string;
  env: Record<string, string>;
  /** Runs at once there. */
  maxRuns: number;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Resolves and checks a plan's `servers` (names unique, no top-level `gpus` beside them, each
 * run's `servers` known and able to give it its GPUs); problems go to `problems` by JSON path.
 * `undefined` when the plan has no `servers`.
 *
 * @example
 * resolveServers(plan, specs, problems, 1)?.map((server) => server.name); // ['gpu-a', 'gpu-b']
 */
export function resolveServers(
  plan: Pick<PlanInput, 'servers' | 'gpus' | 'gpusPerRun' | 'executor'>,
  specs: readonly SourcedRunSpec[],
  problems: PlanProblem[],
  runsPerGpu: number,
): ResolvedServer[] | undefined {
  if (!plan.servers) {
    if (plan.executor?.kind === 'ssh')
      problems.push({ path: 'executor', message: 'kind "ssh" needs the plan to list servers' });
    for (const spec of specs)
      if (spec.servers)
        problems.push({ path: `${spec.sourcePath}.servers`, message: 'the plan has no servers' });
    return undefined;
  }
  if (plan.gpus !== undefined)
    problems.push({ path: 'gpus', message: "servers replace gpus: list each server's gpus" });
  if (plan.executor && plan.executor.kind !== 'ssh')
    problems.push({ path: 'executor', message: 'servers need executor kind "ssh" (or none)' });
  const servers = plan.servers.map((input, index): ResolvedServer => {
    const host = input.host ?? input.name ?? '';
    const gpus = input.gpus ?? [];
    if (new Set(gpus).size !== gpus.length)
      problems.push({ path: `servers[${index}].gpus`, message: 'lists a GPU id twice' });
    const server: ResolvedServer = {
      name: input.name ?? host,
      host,
      local: LOCAL_HOSTS.has(host),
      gpus: [...gpus],
      env: { ...input.env },
      maxRuns: input.maxRuns ?? Math.max(1, gpus.length * runsPerGpu),
    };
    if (input.user !== undefined) server.user = input.user;
    if (input.port !== undefined) server.port = input.port;
    if (input.identityFile !== undefined) server.identityFile = input.identityFile;
    if (input.runboard !== undefined) server.runboard = input.runboard;
    return server;
  });
  const firstIndex = new Map<string, number>();
  servers.forEach((server, index) => {
    const first = firstIndex.get(server.name);
    if (first === undefined) firstIndex.set(server.name, index);
    else
      problems.push({
        path: `servers[${index}].name`,
        message: `duplicate server name "${server.name}", first at servers[${first}]`,
      });
  });
  const byName = new Map<string, ResolvedServer>();
  for (const server of servers) if (!byName.has(server.name)) byName.set(server.name, server);
  const checked = new Set<string>();
  for (const spec of specs) {
    if (checked.has(spec.sourcePath)) continue;
    checked.add(spec.sourcePath); // a sweep's settings are the same for all its runs
    const unknown = (spec.servers ?? []).filter((name) => !byName.has(name));
    if (unknown.length > 0)
      problems.push({
        path: `${spec.sourcePath}.servers`,
        message: `unknown server ${unknown.map((name) => `"${name}"`).join(', ')}`,
      });
    const allowed = spec.servers?.map((name) => byName.get(name)).filter((s) => s !== undefined);
    const candidates = allowed ?? servers;
    if (candidates.length === 0) continue;
    const need = spec.gpus ?? (servers.some((s) => s.gpus.length > 0) ? plan.gpusPerRun : 0);
    const fits = candidates.some((server) =>
      Array.isArray(need)
        ? need.every((id) => server.gpus.includes(id))
        : (need ?? 1) <= server.gpus.length || (need ?? 1) === 0,
    );
    if (!fits)
      problems.push({
        path: `${spec.sourcePath}.${spec.gpus === undefined ? 'servers' : 'gpus'}`,
        message: Array.isArray(need)
          ? `no server of the run has GPU ${need.join(', ')}`
          : `needs ${need ?? 1} GPU${need === 1 ? '' : 's'} but no server of the run has that many`,
      });
  }
  return servers;
}
