#!/usr/bin/env node
// A trainer that reports nothing itself and writes one `epoch_K/` folder per epoch, with
// the checkpoint written last: runboard counts an epoch once all expected files exist.
// Usage: epoch-dirs.mjs [--epochs 6] [--epoch-seconds 1.5]  (writes into its run folder)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobOptions } from './job-options.mjs';

const { epochs, 'epoch-seconds': epochSeconds } = jobOptions({ epochs: 6, 'epoch-seconds': 1.5 });
for (let epoch = 1; epoch <= epochs; epoch++) {
  await sleep(epochSeconds * 1000);
  const dir = join(process.env.RUNBOARD_RUN_DIR ?? process.cwd(), `epoch_${epoch}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ epoch, miou: 0.5 + epoch * 0.04 }));
  writeFileSync(join(dir, 'model.pth'), Buffer.alloc(1024));
  console.log(`saved epoch_${epoch}`);
}
