// The recipe's racer, like test/fixtures/race-lock.ts but with proper-lockfile (stale argv[5]):
// on each SIGUSR1 it locks argv[2], logs `enter`/`exit` to argv[3] around an argv[4] ms hold,
// and prints `done <round>`.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { raceOnSignal } from '../../test/fixtures/race-on-signal.js';

const [file = '', log = '', holdMs = '20', stale = '10000'] = process.argv.slice(2);

raceOnSignal(async () => {
  const release = await lock(file, {
    realpath: false,
    stale: Number(stale),
    retries: { retries: 1_000, minTimeout: 5, maxTimeout: 100, randomize: true },
    onCompromised: () => {},
  });
  appendFileSync(log, `enter ${process.pid}\n`);
  await sleep(Number(holdMs));
  appendFileSync(log, `exit ${process.pid}\n`);
  await release().catch(() => {});
});
