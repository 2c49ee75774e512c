/**
 * For child processes that must start together (the racers of a multi-process test, the workers
 * of a benchmark): prints `ready`, then resolves on SIGUSR1, which the parent sends to every
 * child at once when all of them are ready. Imported as `@runboard/test-kit/start-signal`, which
 * loads no vitest, so that a child starts quickly.
 *
 * @example
 * if (process.env.RUNBOARD_BENCH_BARRIER === '1') await startSignal();
 */
export function startSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => {}, 1_000);
    process.once('SIGUSR1', () => {
      clearInterval(keepAlive);
      resolve();
    });
    console.log('ready');
  });
}
