#!/usr/bin/env node
// A simulated training run that reports progress with `##runboard` marker lines on stdout.
// Usage: train.mjs --model NAME --seed N [--epochs 8] [--epoch-seconds 1.5]
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet18' },
    seed: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '8' },
    'epoch-seconds': { type: 'string', default: '1.5' },
  },
});
const epochs = Number(values.epochs);
const epochMs = Number(values['epoch-seconds']) * 1000;
const seed = Number(values.seed);
const base = values.model.length % 3;

console.log(`training ${values.model} with seed ${seed} for ${epochs} epochs`);
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
