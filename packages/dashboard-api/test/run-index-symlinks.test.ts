import { rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { eventAfter, test, writeRun } from './test-utils.js';

// A fresh scan (`runboard status`) never follows a symbolic link, so a run folder replaced by
// one is no run; the live index must drop it too, not keep showing it until a restart.
describe('RunIndex: a run folder replaced by a symbolic link', () => {
  test('is dropped at the next rescan (polling)', async ({ root, outside, openIndex }) => {
    await writeRun(root, 'sweep/a');
    await writeRun(root, 'sweep/b');
    const index = await openIndex({ watch: false, rescanIntervalMs: 0 });
    await rename(join(root, 'sweep', 'a'), join(outside, 'a'));
    await symlink(join(outside, 'a'), join(root, 'sweep', 'a'));
    expect(index.ids().sort()).toEqual(['sweep/a', 'sweep/b']);
    await index.rescan();
    expect(index.ids()).toEqual(['sweep/b']);
  });

  test('is dropped at the next event, also when a folder above it is the link', async ({
    root,
    outside,
    openIndex,
  }) => {
    await writeRun(root, 'group/sweep/a');
    await writeRun(root, 'other/b');
    const index = await openIndex({ rescanIntervalMs: 0 });
    await index.whenWatching();
    const removed = await eventAfter(
      index,
      (event) => event.type === 'removed' && event.id === 'group/sweep/a',
      async () => {
        await rename(join(root, 'group', 'sweep'), join(outside, 'sweep'));
        await symlink(join(outside, 'sweep'), join(root, 'group', 'sweep'));
      },
    );
    expect(removed).toEqual({ type: 'removed', id: 'group/sweep/a' });
    // A write behind the link changes nothing.
    await writeRun(outside, 'sweep/a', { status: 'failed' });
    await index.rescan();
    expect(index.ids()).toEqual(['other/b']);
  });
});
