import { checkFunctionOption, checkNumberOption } from '@runboard/locking';
import type { ResourceSampler, ResourcesSnapshot } from './resource-sampler.js';

export interface ResourceFeedOptions {
  /** How often a sample is taken while someone listens. Default 5000 ms. */
  intervalMs?: number;
  /** Gets a failed sample; the feed goes on. Default: ignored. */
  onError?: (error: unknown) => void;
}

export type ResourceListener = (snapshot: ResourcesSnapshot) => void;

/**
 * Samples resources on an interval only while at least one listener is subscribed, and gives
 * each sample to all of them, so a hundred open pages cost one `nvidia-smi` (and one query per
 * server of the pool) per interval, and no page costs none: when the last listener leaves, the
 * pool's SSH connections end. The first listener gets a sample at once; a later one gets the latest.
 *
 * @example
 * const feed = new ResourceFeed(new ResourceSampler(), { intervalMs: 5000 });
 * const stop = feed.subscribe((snapshot) => console.log(snapshot.cpu.loadAverage));
 * stop(); // the last listener left: the timer stops
 */
export class ResourceFeed {
  private readonly intervalMs: number;
  private readonly listeners = new Set<ResourceListener>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private latest: ResourcesSnapshot | undefined;
  private sampling = false;

  constructor(
    private readonly sampler: ResourceSampler,
    private readonly options: ResourceFeedOptions = {},
  ) {
    this.intervalMs =
      options.intervalMs === undefined
        ? 5000
        : checkNumberOption('intervalMs', options.intervalMs, { integer: true, min: 1 });
  }

  /** Listeners now subscribed. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Whether the sampling timer runs (exactly while there are listeners). */
  get active(): boolean {
    return this.timer !== undefined;
  }

  subscribe(listener: ResourceListener): () => void {
    checkFunctionOption('listener', listener);
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
      void this.tick();
    } else if (this.latest !== undefined) {
      listener(this.latest);
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
      // A later first listener gets a fresh sample, not this one.
      this.latest = undefined;
      // No page is open: the pool's SSH connections end.
      this.sampler.release().catch((error: unknown) => this.options.onError?.(error));
    };
  }

  private async tick(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const snapshot = await this.sampler.sample();
      if (this.timer === undefined) return;
      this.latest = snapshot;
      for (const listener of [...this.listeners]) {
        try {
          listener(snapshot);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.sampling = false;
    }
  }
}
