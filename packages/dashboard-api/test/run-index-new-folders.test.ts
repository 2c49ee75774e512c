import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { RunIndex } from '../src/run-index/run-index.js';
import { test, writeRun } from './test-utils.js';

// Runs created while the watcher comes into place: a folder met by a walk after the watcher
// started is watched from then on, but chokidar reports nothing it finds in it initially. Before
// the fix, `sweep/lr=0.1` below stayed missing until the 30 s rescan in about half the rounds.
test('sibling runs created in a new folder while the index starts are all indexed within seconds', async ({
  root,
}) => {
  for (let round = 0; round < 5; round++) {
    const roundRoot = join(root, `round-${round}`);
    await mkdir(roundRoot);
    const index = await RunIndex.open({ root: roundRoot });
    try {
      await writeRun(roundRoot, 'sweep/lr=0.1');
      await writeRun(roundRoot, 'sweep/lr=1');
      await expect
        .poll(() => index.list({ limit: 10 }).runs.map((run) => run.id), { timeout: 5_000 })
        .toEqual(['sweep/lr=0.1', 'sweep/lr=1']);
    } finally {
      await index.close();
    }
  }
});
