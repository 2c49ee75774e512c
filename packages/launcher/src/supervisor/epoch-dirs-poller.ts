import { countCompleteEpochDirs } from '../progress/epoch-dirs.js';

/**
 * Polls a folder for complete `epoch_K/` folders and reports each new count.
 * The count never goes down: epochs once complete stay counted (a trainer that deletes old
 * checkpoints does not lose progress).
 *
 * @example
 * const poller = new EpochDirsPoller(dir, ['model.pth'], 2, (count) => console.log(count), console.error);
 * poller.start();
 * await poller.stop(); // one last count
 */
export class EpochDirsPoller {
  private complete = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly expectedFiles: readonly string[],
    private readonly pollSeconds: number,
    private readonly onCount: (count: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Counts at once (reporting even 0) and then every `pollSeconds`. */
  start(): void {
    this.running = this.count(true);
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.count(false);
    }, this.pollSeconds * 1000);
    this.timer.unref();
  }

  /** Stops polling after one last count. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.count(false);
  }

  private async count(reportAlways: boolean): Promise<void> {
    try {
      const count = await countCompleteEpochDirs(this.dir, this.expectedFiles, this.complete);
      if (count !== this.complete || reportAlways) {
        this.complete = count;
        this.onCount(count);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = undefined;
    }
  }
}
