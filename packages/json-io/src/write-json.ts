import { resolve } from 'node:path';
import { checkObjectOption, checkStringOption } from '@runboard/locking';
import { JsonWriteError } from './errors.js';
import { replaceFile, replaceFileSync, resolveTarget } from './replace-file.js';
import type { NonFinitePolicy } from './serialize-json.js';
import { NON_FINITE_POLICIES, serializeJson } from './serialize-json.js';

export interface WriteJsonOptions {
  /**
   * fsync the file before the rename and its folder after it, so the new content survives a
   * power loss once the call returns. `false` skips both fsyncs; the write stays atomic.
   * @default true
   */
  durable?: boolean;
  /** Indentation, as for `JSON.stringify`. @default 2 */
  space?: number | string;
  /**
   * `NaN`, `Infinity`, `-Infinity`: `'error'` refuses the value with a `JsonSerializeError`
   * naming the JSON path (e.g. `$.metrics.loss`); `'null'` writes them as `null`.
   * @default 'error'
   */
  nonFinite?: NonFinitePolicy;
}

/** Counters since the process started, for tests and benchmarks. */
export interface WriteStats {
  /** Calls to `writeJson` / `writeJsonSync` whose value was accepted. */
  requested: number;
  /** Values renamed into place; lower than `requested` when writes coalesced. */
  physicalWrites: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Batch {
  /** Order of the newest request in the batch, shared by sync and async writes. */
  seq: number;
  text: string;
  durable: boolean;
  waiters: Waiter[];
}

interface PathQueue {
  /** A drain is scheduled or running. */
  draining: boolean;
  active?: Batch;
  pending?: Batch;
  /** The newest `seq` renamed into place while this queue lives. */
  landedSeq: number;
  /** Absolute paths (maybe symlinks) that led here, remembered only while writes are in flight. */
  aliases: string[];
}

/** Queues by real path, and the real path of each alias; both live only while writes are in flight. */
const queues = new Map<string, PathQueue>();
const aliasTargets = new Map<string, string>();
const stats: WriteStats = { requested: 0, physicalWrites: 0 };
let lastSeq = 0;

/**
 * Writes `value` as JSON to `file` atomically: readers in any process see the old or the new
 * content, never a mix, and a crash leaves one of the two. Concurrent calls for the same file
 * coalesce: the newest value wins, and each promise resolves once a value at least as new as
 * its own is on disk.
 *
 * @throws {TypeError} on invalid arguments.
 * @throws {JsonSerializeError} before touching the disk, for values JSON cannot hold faithfully.
 * @throws {JsonWriteError} when a file-system step fails; the target is then untouched.
 * @example
 * await writeJson('runs/exp-1/progress.json', { status: 'running', metrics: { loss: 0.12 } });
 * await writeJson('cache/state.json', state, { durable: false, space: 0 });
 */
export async function writeJson(
  file: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  const { text, durable, alias, target } = prepare(file, value, options);
  const seq = ++lastSeq;
  let queue = queues.get(target);
  if (!queue) queues.set(target, (queue = { draining: false, landedSeq: 0, aliases: [] }));
  if (!aliasTargets.has(alias)) {
    aliasTargets.set(alias, target);
    queue.aliases.push(alias);
  }
  const written = new Promise<void>((resolve, reject) => {
    const pending = queue.pending;
    if (pending) {
      pending.seq = seq;
      pending.text = text;
      pending.durable ||= durable;
      pending.waiters.push({ resolve, reject });
    } else {
      queue.pending = { seq, text, durable, waiters: [{ resolve, reject }] };
    }
  });
  if (!queue.draining) {
    queue.draining = true;
    // A microtask later, so that every call made in the same synchronous burst joins one write.
    queueMicrotask(() => void drain(target, queue));
  }
  return written;
}

/**
 * Synchronous {@link writeJson}, with the same guarantees. It shares the per-file queue with
 * `writeJson`: pending async writes of the same file are superseded by it, and an async write
 * already under way does not overwrite it afterwards.
 *
 * @example
 * writeJsonSync('runs/exp-1/progress.json', { status: 'failed', exitCode: 1 });
 */
export function writeJsonSync(file: string, value: unknown, options: WriteJsonOptions = {}): void {
  const { text, durable, target } = prepare(file, value, options);
  const seq = ++lastSeq;
  const queue = queues.get(target);
  // Superseded async callers are told "written" afterwards, so honour their durability too.
  const mustBeDurable = durable || !!queue?.active?.durable || !!queue?.pending?.durable;
  replaceFileSync(target, text, { durable: mustBeDurable });
  stats.physicalWrites++;
  if (!queue) return;
  queue.landedSeq = seq;
  const superseded = queue.pending;
  queue.pending = undefined;
  for (const waiter of superseded?.waiters ?? []) waiter.resolve();
}

/**
 * Creates `file` with `value` as JSON, only if it does not exist yet: atomically, as
 * {@link writeJson} writes (readers see no file or the whole value), but the temp file is
 * hard-linked into place instead of renamed, so an existing file is never replaced. Of several
 * processes creating one file at once, exactly one succeeds. It does not join the coalescing
 * queue of `writeJson` calls in flight for the same file in this process.
 *
 * @throws {JsonWriteError} with `systemCode` `'EEXIST'` when `file` exists (it is untouched);
 * other system codes as for `writeJson` (`EPERM` where the file system has no hard links).
 * @throws {JsonSerializeError} before touching the disk, for values JSON cannot hold faithfully.
 * @example
 * try {
 *   await createJson('runs/a/progress.json', { status: 'queued' }, { durable: false });
 * } catch (error) {
 *   if (!(error instanceof JsonWriteError && error.systemCode === 'EEXIST')) throw error;
 *   // someone else created it first
 * }
 */
export async function createJson(
  file: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  const { text, durable, target } = prepare(file, value, options);
  await replaceFile(target, text, { durable, exclusive: true });
  stats.physicalWrites++;
}

/**
 * A snapshot of the write counters, e.g. to see how many of 1,000 concurrent writes reached disk.
 *
 * @example
 * const before = getWriteStats();
 * await Promise.all(values.map((value) => writeJson(file, value)));
 * const physical = getWriteStats().physicalWrites - before.physicalWrites;
 */
export function getWriteStats(): WriteStats {
  return { ...stats };
}

/**
 * Replaces `file` with already serialized `text` (the final newline is added) outside the
 * coalescing queue, for a caller that
 * holds the file's lock (`updateJson`). `beforeRename` runs synchronously right before the rename
 * and may throw to cancel it: the error is rethrown as it is, and the target is untouched.
 * `afterRename` runs right after the rename, before the folder's fsync, and must not throw.
 * With `exclusive`, the file is created as by {@link createJson}.
 */
export async function commitJsonText(
  file: string,
  text: string,
  commit: {
    durable: boolean;
    /** Create the file instead (it was missing when read): `EEXIST` if it appeared meanwhile. */
    exclusive: boolean;
    beforeRename: () => void;
    afterRename: () => void;
  },
): Promise<void> {
  let target: string;
  try {
    target = resolveTarget(resolve(file));
  } catch (error) {
    throw new JsonWriteError(file, error);
  }
  let refusal: { error: unknown } | undefined;
  const renamed = await replaceFile(target, text, {
    durable: commit.durable,
    exclusive: commit.exclusive,
    shouldRename: () => {
      try {
        commit.beforeRename();
        return true;
      } catch (error) {
        refusal = { error };
        return false;
      }
    },
    afterRename: () => {
      stats.physicalWrites++;
      commit.afterRename();
    },
  });
  if (!renamed) throw refusal?.error;
}

async function drain(target: string, queue: PathQueue): Promise<void> {
  while (queue.pending) {
    const batch = queue.pending;
    queue.active = batch;
    queue.pending = undefined;
    try {
      const renamed = await replaceFile(target, batch.text, {
        durable: batch.durable,
        shouldRename: () => queue.landedSeq < batch.seq,
      });
      if (renamed) {
        stats.physicalWrites++;
        queue.landedSeq = Math.max(queue.landedSeq, batch.seq);
      }
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }
  queue.active = undefined;
  queue.draining = false;
  queues.delete(target);
  for (const alias of queue.aliases) aliasTargets.delete(alias);
}

function prepare(file: string, value: unknown, options: WriteJsonOptions) {
  checkStringOption('file', file);
  checkObjectOption('options', options);
  const { durable = true, space = 2, nonFinite = 'error' } = options;
  if (typeof durable !== 'boolean') throw new TypeError('Expected `durable` to be a boolean');
  if (typeof space !== 'number' && typeof space !== 'string') {
    throw new TypeError('Expected `space` to be a number or a string');
  }
  if (!NON_FINITE_POLICIES.includes(nonFinite)) {
    throw new TypeError(`Expected \`nonFinite\` to be one of: ${NON_FINITE_POLICIES.join(', ')}`);
  }
  const text = serializeJson(file, value, { space, nonFinite });
  const alias = resolve(file);
  // While a write to this path is in flight, later calls join its queue without resolving
  // symlinks again: they behave as if issued a moment earlier, which coalescing allows anyway.
  let target = aliasTargets.get(alias);
  try {
    target ??= resolveTarget(alias);
  } catch (error) {
    throw new JsonWriteError(file, error);
  }
  stats.requested++;
  return { text, durable, alias, target };
}
