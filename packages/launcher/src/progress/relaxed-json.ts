const NON_FINITE_TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * `JSON.parse` that also accepts the bare `NaN`, `Infinity` and `-Infinity` tokens that
 * Python's `json.dumps` writes for non-finite floats, and turns them into `null` (JSON has no
 * way to hold them). Tokens inside strings are left alone.
 *
 * @throws {SyntaxError} when `text` is not JSON even with those tokens replaced.
 * @example
 * parseRelaxedJson('{"loss": NaN, "lr": 0.1}'); // { loss: null, lr: 0.1 }
 */
export function parseRelaxedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(replaceNonFiniteTokens(text));
  }
}

function replaceNonFiniteTokens(text: string): string {
  let result = '';
  let inString = false;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (inString) {
      result += char;
      if (char === '\\') {
        result += text[index + 1] ?? '';
        index += 2;
        continue;
      }
      if (char === '"') inString = false;
      index += 1;
      continue;
    }
    if (char === '"') {
      inString = true;
      result += char;
      index += 1;
      continue;
    }
    const token = NON_FINITE_TOKENS.find((candidate) => text.startsWith(candidate, index));
    if (token !== undefined) {
      result += 'null';
      index += token.length;
      continue;
    }
    result += char;
    index += 1;
  }
  return result;
}
