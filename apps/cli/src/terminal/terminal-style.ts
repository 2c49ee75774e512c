import { styleText } from 'node:util';

/** The styles the CLI's tables use. */
export type TextStyle = Parameters<typeof styleText>[0];

/** Applies terminal styles, or nothing when colour is off. */
export type Stylize = (style: TextStyle, text: string) => string;

/**
 * Whether to colour output written to `stream`: `NO_COLOR` turns colour off and `FORCE_COLOR`
 * on (https://no-color.org); otherwise only a TTY that supports colours gets them.
 *
 * @example
 * const paint = stylizer(shouldColor(process.stdout));
 * console.log(paint('green', 'succeeded'));
 */
export function shouldColor(
  stream: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined)
    return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  const tty = stream as NodeJS.WriteStream;
  return tty.isTTY === true && typeof tty.hasColors === 'function' && tty.hasColors();
}

/** A {@link Stylize} that applies styles when `color` is on and returns text as is otherwise. */
export function stylizer(color: boolean): Stylize {
  return color
    ? (style, text) => (text === '' ? text : styleText(style, text))
    : (_style, text) => text;
}
