import { parseArgs } from 'node:util';

/**
 * A demo job's command-line options, `--name value`, each with its default: numbers for the
 * options whose default is a number, strings for the rest. Unknown options are an error.
 *
 * @example
 * const { epochs, 'epoch-seconds': epochSeconds } = jobOptions({ epochs: 6, 'epoch-seconds': 1.5 });
 */
export function jobOptions(defaults) {
  const { values } = parseArgs({
    options: Object.fromEntries(
      Object.entries(defaults).map(([name, value]) => [
        name,
        { type: 'string', default: String(value) },
      ]),
    ),
  });
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof defaults[name] === 'number' ? Number(value) : value,
    ]),
  );
}
