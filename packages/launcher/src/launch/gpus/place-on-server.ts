import type { RunWaiting } from '../../run-folder/run-record.js';
import type { ServerStatusView } from '../executors/executor.js';
import type { ServerBusy, ServerPlacement, ServerRequest, ServerSlots } from './server-slots.js';

/** A placement, or why the run waits. */
export type PlaceResult = { placement: ServerPlacement } | { waiting: RunWaiting };

/**
 * Places a run in a server pool: only on servers the executor calls usable (they answer, passed
 * their host check), and with a `gpuPolicy` only where the policy allows (the server's CPU and
 * RAM, and per GPU). When nothing fits, says why: the policy, or every slot taken (naming the
 * servers that are out).
 *
 * @example
 * const result = placeOnServer(slots, { gpuCount: 1 }, executor.servers, true);
 * if ('placement' in result) claim(result.placement.server, result.placement.gpus);
 */
export function placeOnServer(
  slots: ServerSlots,
  request: ServerRequest,
  view: ServerStatusView | undefined,
  policy: boolean,
  busy?: ReadonlyMap<string, ServerBusy>,
): PlaceResult {
  const usable = (server: string) => view?.usable(server) ?? true;
  const gpusOf = new Map(slots.candidates(request).map((server) => [server.name, server.gpus]));
  const allowed = (server: string): ReadonlySet<number> | undefined => {
    if (!policy || !view) return undefined;
    if (view.hostRefusal(server) !== undefined) return new Set();
    return view.allowedGpus(server, gpusOf.get(server) ?? []) ?? new Set();
  };
  const passesHost = (server: string) =>
    !policy || request.gpuCount > 0 || view?.hostRefusal(server) === undefined;
  const placement = slots.allocate(request, {
    usable: (server) => usable(server) && passesHost(server),
    allowed,
    busy,
  });
  if (placement) return { placement };
  const down = [...gpusOf.keys()].filter((server) => !usable(server));
  if (policy && view) {
    const ignoringPolicy = slots.allocate(request, { usable, busy });
    if (ignoringPolicy) {
      slots.release(ignoringPolicy.server, ignoringPolicy.gpus);
      const detail = [...gpusOf]
        .filter(([server]) => usable(server))
        .map(([server, gpus]) => view.refusals(server, request.pinnedGpus ?? gpus))
        .filter(Boolean)
        .join('; ');
      return { waiting: { reason: 'gpu-policy', detail } };
    }
  }
  const out = down.length > 0 ? ` (not answering: ${down.join(', ')})` : '';
  const reason = request.gpuCount > 0 ? 'gpu-slot' : 'slot';
  return { waiting: { reason, detail: `every slot of its servers is taken${out}` } };
}
