#!/usr/bin/env node
// Fails on its first attempt (say, a CUDA out-of-memory at start-up) and succeeds when retried.
// It remembers attempts in a file of its run folder.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const marker = join(process.env.RUNBOARD_RUN_DIR ?? process.cwd(), 'flaky-first-attempt-done');
if (!existsSync(marker)) {
  writeFileSync(marker, new Date().toISOString());
  await sleep(1500);
  console.error('RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (simulated)');
  process.exit(1);
}
for (let step = 1; step <= 5; step++) {
  await sleep(800);
  console.log(`##runboard {"current": ${step}, "total": 5, "unit": "step"}`);
}
