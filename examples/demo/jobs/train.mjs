#!/usr/bin/env node
// A simulated training run that reports progress with `##runboard` marker lines on stdout.
// Usage: train.mjs --model NAME --seed N [--epochs 8] [--epoch-seconds 1.5]
import { setTimeout as sleep } from 'node:timers/promises';
import { jobOptions } from './job-options.mjs';

const options = jobOptions({ model: 'resnet18', seed: 0, epochs: 8, 'epoch-seconds': 1.5 });
const { model, seed, epochs } = options;
const epochMs = options['epoch-seconds'] * 1000;
const base = model.length % 3;

console.log(`training ${model} with seed ${seed} for ${epochs} epochs`);
let loss = 2.3 - base * 0.2;
for (let epoch = 1; epoch <= epochs; epoch++) {
  await sleep(epochMs);
  loss *= 0.72 + ((seed * 7 + epoch) % 5) * 0.01;
  const valAcc = Math.min(0.99, 1 - loss / 2.6);
  console.log(`epoch ${epoch}/${epochs} loss=${loss.toFixed(4)} val_acc=${valAcc.toFixed(4)}`);
  const report = {
    current: epoch,
    total: epochs,
    unit: 'epoch',
    metrics: { loss, val_acc: valAcc },
  };
  console.log(`##runboard ${JSON.stringify(report)}`);
}
console.log('done');
