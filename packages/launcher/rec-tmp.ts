import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePlan, reconcilePlan } from './src/index.js';
for (let r = 0; r < 3; r++) {
const dir = mkdtempSync(join(tmpdir(), 'rb-rec-'));
const plan = resolvePlan({ sweeps: [{ id: 's/{m}/run_{i}', command: ['x'], matrix: { m: Array.from({ length: 20 }, (_, i) => `m${i}`), i: Array.from({ length: 50 }, (_, i) => i) } }] }, { baseDir: dir });
let t = performance.now();
await reconcilePlan(plan, { launcher: { host: 'x', pid: 1 } });
console.log('fresh', Math.round(performance.now() - t));
}
