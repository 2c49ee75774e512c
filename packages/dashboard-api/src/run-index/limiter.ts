/**
 * Runs at most `concurrency` of the given tasks at a time, in the order they were given; an
 * `urgent` task goes before every waiting one (a change on its way to an SSE client must not
 * wait behind the first scan's 100,000 reads).
 */
export type Limiter = <T>(task: () => Promise<T>, urgent?: boolean) => Promise<T>;

export function createLimiter(concurrency: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>, urgent = false): Promise<T> => {
    if (running >= concurrency)
      await new Promise<void>((resolve) => {
        if (urgent) waiting.unshift(resolve);
        else waiting.push(resolve);
      });
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
