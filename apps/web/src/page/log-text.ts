// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
const ANSI =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * A log as a terminal would show it: escape sequences removed, and in each line only the text
 * after the last carriage return, so a tqdm bar that redraws itself with `\r` shows as its
 * latest state instead of hundreds of copies.
 *
 * @example
 * terminalText('10%|█ |\r50%|█████ |\ndone\n'); // '50%|█████ |\ndone\n'
 */
export function terminalText(raw: string): string {
  return raw
    .replace(ANSI, '')
    .split('\n')
    .map((line) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      const cut = trimmed.lastIndexOf('\r');
      return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
    })
    .join('\n');
}
