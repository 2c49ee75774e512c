/** The index's timers: all unref'ed, all stopped by `clear()`. */
export class IndexTimers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private cleared = false;

  /** Runs `task` every `intervalMs`. */
  every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Runs `task` once after `delayMs`, unless cleared before. */
  later(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.cleared) task();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    this.cleared = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
