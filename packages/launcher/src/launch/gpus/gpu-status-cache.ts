import type { GpuPolicy } from '../../plan/plan-schema.js';
import { GpuPolicyUnavailableError } from '../errors.js';
import { allowedGpus, gpuPolicyFailure } from './gpu-policy.js';
import type { GpuStatus } from './nvidia-smi.js';

/** How old an answer of `nvidia-smi` may be when runs wait for a GPU. */
const GPU_STATUS_MAX_AGE_MS = 2_000;

export interface GpuStatusCacheOptions {
  policy: GpuPolicy;
  /** The plan's GPU ids. */
  gpus: readonly number[];
  /** Asks `nvidia-smi` (never throws: `available: false` says why). */
  read: () => Promise<GpuStatus>;
  /** A fresh answer arrived: runs that wait for a GPU may start now. */
  onUpdate: () => void;
  /** `nvidia-smi` stopped answering (said once per launch). */
  onUnavailable: (reason: string) => void;
}

/**
 * The last answer of `nvidia-smi` for a plan's `gpuPolicy`, refreshed at most one query at a
 * time: every `checkIntervalSeconds` by the launch, and when runs wait for a GPU and the answer
 * is older than 2 s.
 *
 * @example
 * const cache = new GpuStatusCache({ policy, gpus: [0, 1], read, onUpdate: pump, onUnavailable: warn });
 * await cache.load(); // throws GpuPolicyUnavailableError when nvidia-smi cannot be asked
 * cache.allowedGpus(); // Set {1}, or undefined while nvidia-smi is being asked
 */
export class GpuStatusCache {
  readonly #options: GpuStatusCacheOptions;
  #status: GpuStatus | undefined;
  #loading: Promise<void> | undefined;
  #warned = false;
  #closed = false;

  constructor(options: GpuStatusCacheOptions) {
    this.#options = options;
  }

  /** The first answer, before anything starts; `nvidia-smi` must answer. */
  async load(): Promise<void> {
    const status = await this.#options.read();
    if (!status.available)
      throw new GpuPolicyUnavailableError(status.reason ?? 'nvidia-smi is not available');
    this.#status = status;
  }

  /** GPUs the policy allows now, or `undefined` while nvidia-smi is being asked. */
  allowedGpus(): Set<number> | undefined {
    const status = this.#status;
    if (!status || Date.now() - status.checkedAt > GPU_STATUS_MAX_AGE_MS) {
      this.refresh();
      if (!status) return undefined;
    }
    if (!status.available) return new Set();
    return allowedGpus(this.#options.gpus, status.gpus, this.#options.policy);
  }

  /**
   * Why the policy refuses GPUs of `candidates` now, one `GPU <id>: <check>` each (joined by
   * `; `), for a run's `waiting.detail`.
   *
   * @example
   * cache.refusals([0, 1]); // 'GPU 1: utilization 87% ≥ 50%'
   */
  refusals(candidates: readonly number[]): string {
    const status = this.#status;
    if (!status) return 'asking nvidia-smi';
    if (!status.available) return `nvidia-smi: ${status.reason ?? 'not available'}`;
    const byIndex = new Map(status.gpus.map((gpu) => [gpu.index, gpu]));
    return candidates
      .map((id) => {
        const gpu = byIndex.get(id);
        const why = gpu ? gpuPolicyFailure(gpu, this.#options.policy) : 'not listed by nvidia-smi';
        return why === undefined ? undefined : `GPU ${id}: ${why}`;
      })
      .filter((text) => text !== undefined)
      .join('; ');
  }

  /** Asks `nvidia-smi` again, unless a query is under way or the launch is stopping. */
  refresh(): void {
    if (this.#loading || this.#closed) return;
    this.#loading = this.#options.read().then((status) => {
      this.#status = status;
      this.#loading = undefined;
      if (!status.available && !this.#warned) {
        this.#warned = true;
        this.#options.onUnavailable(status.reason ?? 'nvidia-smi failed');
      }
      this.#options.onUpdate();
    });
  }

  /** The launch is stopping: no more queries. */
  close(): void {
    this.#closed = true;
  }
}
