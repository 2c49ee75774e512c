import { expect, test } from 'vitest';
import { terminalText } from './log-text.js';

test('a tqdm bar redrawn with carriage returns shows its latest state', () => {
  expect(
    terminalText(' 10%|█         | 1/10\r 50%|█████     | 5/10\r100%|██████████| 10/10\ndone\n'),
  ).toBe('100%|██████████| 10/10\ndone\n');
});

test('colour and cursor escape sequences are removed; CRLF line ends are kept as lines', () => {
  expect(terminalText('\u001b[31merror\u001b[0m: bad\r\nnext\u001b[2K line')).toBe(
    'error: bad\nnext line',
  );
});
