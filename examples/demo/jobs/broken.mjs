#!/usr/bin/env node
// Fails for good: a bad config that no retry can fix.
import { setTimeout as sleep } from 'node:timers/promises';

console.log('##runboard {"current": 0, "total": 10, "unit": "epoch", "message": "loading config"}');
await sleep(2000);
console.error('Traceback (most recent call last):');
console.error('  File "train.py", line 42, in <module>');
console.error("KeyError: 'optimizer' (simulated: the config has no optimizer section)");
process.exit(3);
