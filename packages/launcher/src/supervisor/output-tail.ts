import { stripVTControlCharacters } from 'node:util';

/** What a failed run's `errorTail` holds at most. */
export const ERROR_TAIL_LIMITS = { lines: 20, bytes: 4096 } as const;

const ELLIPSIS = '…';
const NOT_BLANK = /\S/;
/** Characters of a line kept before cleaning: enough for 4 KB after escape sequences are gone. */
const MAX_RAW_LINE = 16 * 1024;
/* eslint-disable no-control-regex */
// OSC, DCS, SOS, PM and APC strings up to their terminator: stripVTControlCharacters leaves
// the text of an OSC title that has spaces in it.
const STRING_SEQUENCES =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
// C0 and C1 controls and DEL, the tab excepted.
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/**
 * The last lines of a job's output (stdout and stderr in the order they arrived), kept in
 * memory as the output goes by, for a failed run's `errorTail`: at most 20 lines and 4 KB, each
 * line stripped of escape sequences and control characters (tabs stay), blank lines skipped.
 * Memory stays bounded whatever the job prints; `run.log` is never read back.
 *
 * @example
 * const tail = new OutputTail();
 * tail.push('Traceback (most recent call last):');
 * tail.push("KeyError: 'lr'");
 * tail.lines(); // ['Traceback (most recent call last):', "KeyError: 'lr'"]
 */
export class OutputTail {
  /** A ring of the newest raw lines: `#next` is where the next one goes. */
  readonly #ring: string[] = [];
  #next = 0;

  /** One line (or `\r`-separated segment) of output, without its terminator. */
  push(segment: string): void {
    // Kept raw (cheap per line: a job may print thousands a second), cleaned in `lines()`.
    if (!NOT_BLANK.test(segment)) return;
    this.#ring[this.#next] =
      segment.length > MAX_RAW_LINE ? segment.slice(0, MAX_RAW_LINE) : segment;
    this.#next = (this.#next + 1) % ERROR_TAIL_LIMITS.lines;
  }

  /**
   * The newest lines, stripped of controls and cut to 4 KB each, that fit in 4 KB together
   * (one byte per line break counted), oldest first.
   */
  lines(): string[] {
    const kept: string[] = [];
    let bytes = 0;
    const newestFirst = [
      ...this.#ring.slice(0, this.#next).reverse(),
      ...this.#ring.slice(this.#next).reverse(),
    ];
    for (const raw of newestFirst) {
      const line = clipToBytes(stripControls(raw).trimEnd(), ERROR_TAIL_LIMITS.bytes);
      if (line.trim() === '') continue;
      const size = Buffer.byteLength(line) + (kept.length > 0 ? 1 : 0);
      if (bytes + size > ERROR_TAIL_LIMITS.bytes) break;
      kept.unshift(line);
      bytes += size;
    }
    return kept;
  }
}

/** `text` without terminal escape sequences and C0/C1 control characters (tabs kept). */
export function stripControls(text: string): string {
  return stripVTControlCharacters(text.replace(STRING_SEQUENCES, '')).replace(CONTROLS_BUT_TAB, '');
}

/** `text` cut to at most `maxBytes` of UTF-8, ending in `…` when cut (never inside a character). */
function clipToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(ELLIPSIS);
  const cut = Buffer.from(text)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return cut + ELLIPSIS;
}
