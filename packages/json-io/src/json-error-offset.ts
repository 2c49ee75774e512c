class Stop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The offset of the first character at which `text` stops being valid JSON (`text.length` when it
 * ends too early), or -1 when it is valid. Only used to describe a failed `JSON.parse`: the
 * engine's messages do not always carry a position, and their wording is not an API.
 */
export function jsonErrorOffset(text: string): number {
  let at = 0;
  const stop = (): never => {
    throw new Stop(at);
  };
  const skipSpace = () => {
    while (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t') at++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) stop();
    at++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      const char = text[at];
      if (char === undefined || char < ' ') stop();
      at++;
      if (char === '"') return;
      if (char !== '\\') continue;
      if ('"\\/bfnrt'.includes(text[at] ?? '-')) at++;
      else if (text[at] === 'u' && ((HEX4.lastIndex = at + 1), HEX4.test(text))) at += 5;
      else stop();
    }
  };
  const list = (close: string, item: () => void) => {
    at++;
    skipSpace();
    if (text[at] === close) return void at++;
    for (;;) {
      item();
      skipSpace();
      if (text[at] === ',') at++;
      else return expect(close);
    }
  };
  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === '{') return list('}', () => (string(), expect(':'), value()));
    if (char === '[') return list(']', value);
    if (char === '"') return string();
    NUMBER.lastIndex = at;
    if (NUMBER.test(text)) return void (at = NUMBER.lastIndex);
    const word = ['true', 'false', 'null'].find((literal) => literal[0] === char) ?? '';
    for (let index = 0; index < word.length; index++, at++) if (text[at] !== word[index]) stop();
    if (!word) stop();
  };
  try {
    value();
    skipSpace();
    if (at < text.length) stop();
    return -1;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    throw error;
  }
}
