import { acquireLock } from './acquire-lock.js';
import { checkFunctionOption } from './check-option.js';
import type { LockOptions } from './lock-options.js';
import type { Lock } from './lock.js';

/**
 * Runs `fn` while holding the lock on `file` and always releases it, whether `fn` resolves or
 * throws. `fn` receives the {@link Lock}: check `lock.verify()` before a commit, pass
 * `lock.signal` to work that should stop if the lock is compromised.
 *
 * @example
 * ```ts
 * const next = await withLock('counter.json', async (lock) => {
 *   const value = JSON.parse(await readFile('counter.json', 'utf8')) + 1;
 *   await lock.verify();
 *   await writeFile('counter.json', JSON.stringify(value));
 *   return value;
 * });
 * ```
 */
export async function withLock<T>(
  file: string,
  fn: (lock: Lock) => T | PromiseLike<T>,
  options?: LockOptions,
): Promise<T> {
  checkFunctionOption('fn', fn);
  const lock = await acquireLock(file, options);
  let result: T;
  try {
    result = await fn(lock);
  } catch (error) {
    await lock.release().catch(() => {});
    throw error;
  }
  await lock.release();
  return result;
}
