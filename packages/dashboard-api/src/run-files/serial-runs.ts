export interface SerialRunsOptions {
  /** Once true, no run starts any more. */
  isStopped: () => boolean;
  /** Gets what a run threw (the runs after it go on); not called once stopped. */
  onError?: (error: unknown) => void;
}

/**
 * Makes `task` run one at a time: a call while it runs makes it run once more afterwards,
 * however many calls came meanwhile, so whatever prompted a call is seen by a later run. A run
 * that resolves `true` (more to do) asks for one more run too.
 *
 * @example
 * const check = serialRuns(async () => readWhatIsNew(), { isStopped: () => stopped });
 * watcher.on('change', () => void check());
 */
export function serialRuns(
  task: () => Promise<boolean | void>,
  options: SerialRunsOptions,
): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (options.isStopped()) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if ((await task()) === true) again = true;
      } while (again && !options.isStopped());
    } catch (error) {
      if (!options.isStopped()) options.onError?.(error);
    } finally {
      running = false;
    }
  };
}
