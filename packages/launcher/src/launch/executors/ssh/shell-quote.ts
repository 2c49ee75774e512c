/**
 * One word for a POSIX shell: the remote side of `ssh` always runs its command through the
 * user's login shell, so every argument is quoted.
 *
 * @example
 * shellQuote("it's"); // 'it'\''s'
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Words joined into one shell command line, each quoted. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
