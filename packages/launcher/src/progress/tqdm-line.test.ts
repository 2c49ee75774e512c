import { describe, expect, test } from 'vitest';
import { parseTqdmLine } from './tqdm-line.js';

describe('parseTqdmLine', () => {
  test.each([
    [' 45%|████▌     | 45/100 [00:10<00:12,  4.50it/s]', { current: 45, total: 100, unit: 'it' }],
    ['100%|██████████| 100/100 [00:10<00:00,  9.99it/s]', { current: 100, total: 100, unit: 'it' }],
    ['  0%|          | 0/100 [00:00<?, ?it/s]', { current: 0, total: 100, unit: 'it' }],
    [
      ' 30%|███       | 3/10 [1:02:03<2:24:47, 1234.56s/epoch]',
      { current: 3, total: 10, unit: 'epoch' },
    ],
    [
      'train: 100%|██████████| 8/8 [00:01<00:00,  5.12batch/s]',
      { current: 8, total: 8, unit: 'batch', message: 'train' },
    ],
    [' 45%|####5     | 45/100 [00:10<00:12,  4.50it/s]', { current: 45, total: 100, unit: 'it' }],
    [' 45%|| 45/100 [00:10<00:12,  4.50it/s]', { current: 45, total: 100, unit: 'it' }],
    [
      ' 45%|████▌     | 45.0k/100k [00:10<00:12, 4.50kit/s]',
      { current: 45_000, total: 100_000, unit: 'it' },
    ],
    [
      ' 10%|█         | 1.00M/10.0M [00:01<00:09, 1.00MB/s]',
      { current: 1_000_000, total: 10_000_000, unit: 'B' },
    ],
    [
      'Epoch 3: 45it [00:10,  4.50it/s]',
      { current: 45, total: null, unit: 'it', message: 'Epoch 3' },
    ],
    ['12epoch [00:10, 1.20epoch/s]', { current: 12, total: null, unit: 'epoch' }],
    ['0it [00:00, ?it/s]', { current: 0, total: null, unit: 'it' }],
    ['1.23kit [00:10, 123.00it/s]', { current: 1230, total: null, unit: 'it' }],
    ['3epoch [01:00, 20.00s/epoch]', { current: 3, total: null, unit: 'epoch' }],
  ])('%s', (line, expected) => {
    expect(parseTqdmLine(line)).toEqual(expected);
  });

  test('reads a description with colons and a postfix with numeric metrics', () => {
    expect(
      parseTqdmLine(
        'Epoch 3/10: val:  45%|████▌     | 45/100 [00:10<00:12,  4.50it/s, loss=0.123, acc=nan, lr=1e-05, tag=abc]',
      ),
    ).toEqual({
      current: 45,
      total: 100,
      unit: 'it',
      message: 'Epoch 3/10: val',
      metrics: { loss: 0.123, acc: null, lr: 1e-5 },
    });
  });

  test('ignores colour codes and cursor moves of nested bars', () => {
    expect(
      parseTqdmLine('\x1b[A\x1b[32m 50%|█████     | 5/10 [00:01<00:01,  4.00it/s]\x1b[0m'),
    ).toEqual({
      current: 5,
      total: 10,
      unit: 'it',
    });
  });

  test.each([
    '',
    'epoch 3 loss 0.5',
    '[INFO] step 5/10',
    'Downloading [====>    ] 45%',
    '45%',
    ' 45%|████▌     | 45/100',
    'loading: 5 files [done, ok]',
    '##runboard {"current": 1}',
  ])('is undefined for %j', (line) => {
    expect(parseTqdmLine(line)).toBeUndefined();
  });
});
