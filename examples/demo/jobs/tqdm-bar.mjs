#!/usr/bin/env node
// A job whose only progress report is an unmodified tqdm bar on stderr, as
// `for batch in tqdm(loader)` prints it: `\r`-separated updates of one line.
// Usage: tqdm-bar.mjs [--steps 120] [--step-ms 80]
import { setTimeout as sleep } from 'node:timers/promises';
import { jobOptions } from './job-options.mjs';

const { steps: total, 'step-ms': stepMs } = jobOptions({ steps: 120, 'step-ms': 80 });
const started = Date.now();
const width = 10;

function bar(done) {
  const fraction = done / total;
  const filled = Math.floor(fraction * width);
  const elapsed = (Date.now() - started) / 1000;
  const rate = done / Math.max(elapsed, 1e-3);
  const remaining = rate > 0 ? (total - done) / rate : 0;
  const clock = (s) =>
    `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  const body = '█'.repeat(filled) + (filled < width ? ' '.repeat(width - filled) : '');
  return `${String(Math.round(fraction * 100)).padStart(3)}%|${body}| ${done}/${total} [${clock(elapsed)}<${clock(remaining)}, ${rate.toFixed(2)}it/s]`;
}

console.log('evaluating on the validation set');
for (let done = 0; done <= total; done++) {
  process.stderr.write(`\r${bar(done)}`);
  if (done < total) await sleep(stepMs);
}
process.stderr.write('\n');
console.log('evaluation finished');
