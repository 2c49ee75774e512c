import { readLiveLaunchers } from '@runboard/launcher';

/** Counts the launchers live on a root; the launcher's `readLiveLaunchers` unless replaced. */
export type LiveLauncherCounter = (root: string) => Promise<number>;

export const countLiveLaunchers: LiveLauncherCounter = async (root) =>
  (await readLiveLaunchers(root)).length;

/**
 * How many launchers are live on the root, looked at again on each `refresh()`: a queued run
 * with no live launcher waits for `no-launcher` (issue 13 item 5). `null` until first known.
 */
export class LiveLaunchers {
  private current: number | null = null;

  constructor(
    private readonly root: string,
    private readonly counter: LiveLauncherCounter | undefined,
  ) {}

  get count(): number | null {
    return this.current;
  }

  /** Looks again; whether queued runs now wait for another reason (none live ↔ some live). */
  async refresh(): Promise<boolean> {
    if (!this.counter) return false;
    let count: number;
    try {
      count = await this.counter(this.root);
    } catch {
      return false; // Unreadable now: keep what was known.
    }
    const before = this.current;
    this.current = count;
    return before !== null && (before === 0) !== (count === 0);
  }
}
