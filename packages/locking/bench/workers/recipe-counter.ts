// The usual recipe, for comparison: proper-lockfile (with retries) around a read and an
// `atomically` write. Same protocol as json-io's test/fixtures/update-counter.ts: argv[2] file,
// argv[3] increments, argv[4] in flight; RUNBOARD_BENCH_BARRIER=1 waits for SIGUSR1.
import { readFile } from 'node:fs/promises';
import { startSignal } from '@runboard/test-kit/start-signal';
import { writeFile } from 'atomically';
import { lock } from 'proper-lockfile';

const [file = '', times = '0', inflight = '1'] = process.argv.slice(2);

if (process.env.RUNBOARD_BENCH_BARRIER === '1') await startSignal();

const startedAt = Date.now();
const started = performance.now();
let remaining = Number(times);
let ok = 0;

async function worker(): Promise<void> {
  while (remaining > 0) {
    remaining--;
    const release = await lock(file, {
      retries: { retries: 1_000, minTimeout: 5, maxTimeout: 100, randomize: true },
    });
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as number;
      await writeFile(file, `${JSON.stringify(value + 1, null, 2)}\n`);
      ok++;
    } finally {
      await release();
    }
  }
}

await Promise.all(Array.from({ length: Number(inflight) }, () => worker()));
console.log(
  JSON.stringify({
    ok,
    failed: {},
    ms: performance.now() - started,
    startedAt,
    endedAt: Date.now(),
  }),
);
