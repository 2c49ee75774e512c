import { stripVTControlCharacters } from 'node:util';

// Durations and ages read the same on the page and in the terminal: one home for both.
export { formatAge, formatDuration } from '@runboard/web/format';

/** What a table cell shows for a value that is not known. */
export const UNKNOWN = '—';

const ELLIPSIS = '…';
const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
/* eslint-disable no-control-regex */
// OSC, DCS, SOS, PM and APC strings (7- and 8-bit), up to their end (BEL or ST) or the text's.
// util.stripVTControlCharacters would leave the text of an OSC title that has spaces in it.
const STRING_SEQUENCES =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
// CSI sequences as ECMA-48 defines them; util.stripVTControlCharacters can take the text
// after `ESC [31m` for part of a sequence when a BEL follows.
const CSI_SEQUENCES = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?/g;
// C0 and C1 controls and DEL: what is left of a control sequence once its known forms are gone.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
// The same without the line feed, tab and carriage return a log's lines are made of.
const CONTROL_CHARACTERS_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */
const WHITE_SPACE = /\s+/g;

/**
 * Text a job wrote (a progress unit or message, an error, a metric name, a path), made safe to
 * print as part of one terminal line: escape sequences and every other control character
 * removed, white space (newlines, tabs) folded into single spaces. A job's output then cannot
 * retitle the terminal, move the cursor or clear the screen of `runboard status` or `launch`.
 *
 * @example
 * terminalText('epoch\x1b]0;pwned\x07\n3'); // 'epoch 3'
 */
export function terminalText(text: string): string {
  const withoutSequences = text
    .replace(WHITE_SPACE, ' ')
    .replace(STRING_SEQUENCES, '')
    .replace(CSI_SEQUENCES, '');
  return stripVTControlCharacters(withoutSequences).replace(CONTROL_CHARACTERS, '').trim();
}

/**
 * A piece of a job's log made safe to print as it is, lines kept: escape sequences and control
 * characters removed as by {@link terminalText}, but line feeds, carriage returns (a progress
 * bar redrawing its line) and tabs kept, and white space left alone.
 *
 * @example
 * logText('epoch 1\x1b[2J\n\tloss 0.5\n'); // 'epoch 1\n\tloss 0.5\n'
 */
export function logText(text: string): string {
  return text
    .replace(STRING_SEQUENCES, '')
    .replace(CSI_SEQUENCES, '')
    .replace(CONTROL_CHARACTERS_BUT_LINES, '');
}

/**
 * The filled part of a bar `width` cells wide for `fraction` (0–1), in eighths of a cell. The
 * caller pads the rest, in its own style.
 *
 * @example
 * barFill(0.5, 4); // '██'
 * barFill(1 / 32, 4); // '▏'
 */
export function barFill(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(clamped * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8];
}

/**
 * A run's reported steps, `current/total unit` (the unit made {@link terminalText safe}):
 * `30/100 epoch`, `12 step`, `1.5/3`.
 *
 * @example
 * stepsText({ current: 30, total: 100, unit: 'epoch' }); // '30/100 epoch'
 */
export function stepsText(progress: {
  current: number;
  total?: number | null;
  unit?: string | null;
}): string {
  const unit = progress.unit ? terminalText(progress.unit) : '';
  const steps =
    typeof progress.total === 'number'
      ? `${countText(progress.current)}/${countText(progress.total)}`
      : countText(progress.current);
  return unit === '' ? steps : `${steps} ${unit}`;
}

/** Whole percent: `45%`; {@link UNKNOWN} when not known. */
export function percentText(percent: number | null | undefined): string {
  return percent === null || percent === undefined || !Number.isFinite(percent)
    ? UNKNOWN
    : `${Math.floor(percent)}%`;
}

/** `text` cut to `width` characters, its end replaced by `…` when it was longer. */
export function cutEnd(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width
    ? text
    : `${chars.slice(0, Math.max(0, width - 1)).join('')}${ELLIPSIS}`;
}

/** `text` cut to `width` characters from its start (`…` first): ids keep their own name. */
export function cutStart(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : ELLIPSIS + chars.slice(chars.length - width + 1).join('');
}

/** `text` padded with spaces to `width` characters (code points, so `█` counts as one). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** `text` padded on the left with spaces to `width` characters. */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - [...text].length)) + text;
}

function countText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
