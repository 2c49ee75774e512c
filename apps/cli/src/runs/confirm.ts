import { createInterface } from 'node:readline/promises';

/**
 * Asks `question` on the terminal (stdin, the question on stderr so stdout stays data) and
 * resolves with whether the answer was yes (`y`, `yes`, any case). Ctrl-D or no answer: no.
 *
 * @example
 * if (await askYesNo('Cancel these 3 runs? [y/N] ')) cancelThem();
 */
export async function askYesNo(question: string): Promise<boolean> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      reader.once('close', () => resolve(''));
      reader.question(question).then(resolve, () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    reader.close();
  }
}
