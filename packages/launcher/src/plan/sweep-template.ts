/** One value of a sweep list. */
export type SweepValue = string | number | boolean;

// `{{` and `}}` (literal braces), or a placeholder `{key}`, perhaps after a `$` (`${HOME}`).
const TOKEN = /\{\{|\}\}|(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Fills a sweep template: each `{key}` whose key is in `values` becomes its value, `{{` and
 * `}}` become literal braces, and any other brace stays as it is — a shell's `${HOME}`, or a
 * `{key}` not in `values` ({@link unknownPlaceholders} finds those first).
 *
 * @example
 * substitute('cdd/{model}_run_{seed}', { model: 'Changer', seed: 2 }); // 'cdd/Changer_run_2'
 * substitute("awk '{{print $1}}' {file}", { file: 'a.txt' }); // "awk '{print $1}' a.txt"
 */
export function substitute(template: string, values: Readonly<Record<string, SweepValue>>): string {
  return template.replace(TOKEN, (whole, dollar: string | undefined, key: string | undefined) => {
    if (key === undefined) return whole[0];
    return Object.hasOwn(values, key) ? `${dollar ?? ''}${String(values[key])}` : whole;
  });
}

/**
 * The placeholders of `template` that name none of `keys`, each once, in order of appearance.
 * `${NAME}` is a shell variable, not a placeholder, unless NAME is a key; `{{`/`}}` are
 * escaped braces.
 *
 * @example
 * unknownPlaceholders('--bs {bs} --lr {lr} ${HOME} {{x}}', ['lr', 'seed']); // ['bs']
 */
export function unknownPlaceholders(template: string, keys: readonly string[]): string[] {
  const unknown = new Set<string>();
  for (const [, dollar, key] of template.matchAll(TOKEN)) {
    if (key !== undefined && !dollar && !keys.includes(key)) unknown.add(key);
  }
  return [...unknown];
}
