/**
 * The supervisor's first line of each attempt in `run.log`
 * (`[runboard] attempt 2 of cdd/run_1 starting on gpu-box-1 at …`).
 */
const ATTEMPT_LINE = /^\[runboard\] attempt (\d+) of /;
const ATTEMPT_PREFIX = '[runboard] attempt ';

/**
 * Passes a log's text through to `write` as it comes, with a `— attempt N —` line before each
 * attempt's first line, wherever the chunks were cut. A line start that may still become such
 * a line is held back until its line ends (the supervisor writes its lines whole); `flush`
 * writes what is held.
 *
 * @example
 * const marker = createAttemptMarker((text) => process.stdout.write(text));
 * marker.push('[runboard] attempt 2 of a starting …\n'); // writes '— attempt 2 —\n[runboard] attempt 2 of a …\n'
 */
export function createAttemptMarker(write: (text: string) => void): {
  push(text: string): void;
  flush(): void;
} {
  let atLineStart = true;
  let held = '';
  return {
    push(text) {
      let rest = held + text;
      held = '';
      let out = '';
      while (rest !== '') {
        const newline = rest.indexOf('\n');
        const line = newline === -1 ? rest : rest.slice(0, newline + 1);
        rest = newline === -1 ? '' : rest.slice(newline + 1);
        if (atLineStart) {
          if (newline === -1 && mayBecomeAttemptLine(line)) {
            held = line;
            break;
          }
          const match = ATTEMPT_LINE.exec(line);
          if (match) out += `— attempt ${match[1]} —\n`;
        }
        out += line;
        atLineStart = newline !== -1;
      }
      if (out !== '') write(out);
    },
    flush() {
      if (held !== '') write(held);
      atLineStart = false;
      held = '';
    },
  };
}

function mayBecomeAttemptLine(fragment: string): boolean {
  return ATTEMPT_PREFIX.startsWith(fragment) || fragment.startsWith(ATTEMPT_PREFIX);
}
