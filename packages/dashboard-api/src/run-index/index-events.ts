import { checkFunctionOption } from '@runboard/locking';
import type { RunView } from './run-view.js';
import type { DashboardSummary } from './summary.js';

/** A change in the index, as the SSE stream sends it. */
export type RunIndexEvent =
  | { type: 'run'; run: RunView }
  | { type: 'removed'; id: string }
  | { type: 'summary'; summary: DashboardSummary };

export type RunIndexListener = (event: RunIndexEvent) => void;

export interface IndexEventsOptions {
  /** Least time between two `summary` events. */
  summaryIntervalMs: number;
  clock: () => number;
  /** The summary a `summary` event carries. */
  summarize: () => DashboardSummary;
}

/**
 * The index's subscribers: every `run` and `removed` event goes to each of them, followed, at
 * most once per `summaryIntervalMs`, by a `summary` event. Nothing is computed while nobody
 * listens.
 */
export class IndexEvents {
  private readonly listeners = new Map<RunIndexListener, (() => void) | undefined>();
  private summaryTimer: NodeJS.Timeout | undefined;
  private lastSummaryAt = 0;
  private sequence = 0;
  private isClosed = false;

  constructor(private readonly options: IndexEventsOptions) {}

  /** Number of live subscriptions. */
  get size(): number {
    return this.listeners.size;
  }

  /** A number that grows with every event. */
  get lastEventId(): number {
    return this.sequence;
  }

  subscribe(listener: RunIndexListener, onClose?: () => void): () => void {
    checkFunctionOption('listener', listener);
    if (this.isClosed) {
      onClose?.();
      return () => {};
    }
    this.listeners.set(listener, onClose);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Sends a `run` or `removed` event, and a `summary` soon after. */
  publish(event: Exclude<RunIndexEvent, { type: 'summary' }>): void {
    this.emit(event);
    this.scheduleSummary();
  }

  /** A `summary` event soon, although no run changed (the first scan is complete). */
  publishSummarySoon(): void {
    this.scheduleSummary();
  }

  /** No more `summary` events (the index is closing). */
  stopSummaries(): void {
    this.isClosed = true;
    clearTimeout(this.summaryTimer);
  }

  /** Ends every subscription, calling each `onClose`. */
  close(): void {
    this.stopSummaries();
    const closers = [...this.listeners.values()];
    this.listeners.clear();
    for (const onClose of closers) {
      try {
        onClose?.();
      } catch {
        // A subscriber's close handler must not stop the others.
      }
    }
  }

  private scheduleSummary(): void {
    if (this.summaryTimer || this.isClosed || this.listeners.size === 0) return;
    const { clock, summaryIntervalMs } = this.options;
    // Clamped: a clock set back (tests) must not hold summaries back for longer.
    const wait = Math.min(
      summaryIntervalMs,
      Math.max(0, this.lastSummaryAt + summaryIntervalMs - clock()),
    );
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.lastSummaryAt = clock();
      if (!this.isClosed && this.listeners.size > 0)
        this.emit({ type: 'summary', summary: this.options.summarize() });
    }, wait);
    this.summaryTimer.unref();
  }

  private emit(event: RunIndexEvent): void {
    this.sequence += 1;
    for (const listener of this.listeners.keys()) {
      try {
        listener(event);
      } catch {
        // One failing subscriber must not starve the others.
      }
    }
  }
}
