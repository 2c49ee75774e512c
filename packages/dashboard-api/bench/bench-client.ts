// The benchmark's side of the wire: server children, timed requests, an SSE listener.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const children = new Set<ChildProcess>();

export interface Child {
  process: ChildProcess;
  base: string;
  startedAt: number;
  listening: Record<string, unknown>;
  /** The child's second line: index complete and watcher in place. */
  ready: Promise<Record<string, unknown>>;
}

export async function startChild(script: string, root: string, env = process.env): Promise<Child> {
  const startedAt = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@runboard/source', join(here, script), root],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
  const listening = await next();
  const ready = next();
  ready.catch(() => {});
  return {
    process: child,
    base: `http://127.0.0.1:${String(listening.port)}`,
    startedAt,
    listening,
    ready,
  };
}

export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.process.kill('SIGKILL'))]);
}

export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

export async function rssMiB(child: Child): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${child.process.pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The time of one list request that must answer a full page. */
export async function timedList(url: string): Promise<number> {
  const started = performance.now();
  const body = await getJson<{ runs: unknown[]; total: number }>(url);
  const elapsed = performance.now() - started;
  if (body.runs.length !== Math.min(100, body.total) || body.total === 0)
    throw new Error(`${url}: ${body.runs.length} runs of ${body.total}`);
  return elapsed;
}

/** Polls `probe` every `everyMs` until it is true; the time since `since` then. */
export async function timeUntil(
  since: number,
  probe: () => Promise<boolean>,
  everyMs = 25,
): Promise<number> {
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - since;
    await sleep(everyMs);
  }
}

/** Listens to `/api/events`; `waitFor(text)` resolves when an event containing it arrives. */
export async function sseClient(base: string) {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/events`, { signal: abort.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiters = new Map<string, (at: number) => void>();
  const ready = new Promise<number>((resolve) => waiters.set('event: summary', resolve));
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events)
          for (const [key, resolve] of waiters)
            if (event.includes(key)) {
              waiters.delete(key);
              resolve(at);
            }
      }
    } catch {
      // Aborted.
    }
  })();
  return {
    ready,
    /** The arrival time, or `null` when nothing came within `timeoutMs`. */
    waitFor(key: string, timeoutMs: number): Promise<number | null> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          resolve(null);
        }, timeoutMs);
        waiters.set(key, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () => abort.abort(),
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function ms(value: number): string {
  if (Number.isNaN(value)) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
