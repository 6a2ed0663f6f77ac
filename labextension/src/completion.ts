/** Completion for the filter box: field keys after params./metrics./tags., then operators. */

export const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'like', 'is null', 'is not null'];
const ATTRIBUTES = ['params.', 'metrics.', 'tags.', 'status', 'name', 'experiment', 'kind', 'start_time', 'duration'];

export interface IKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

export interface ICompletion {
  /** where the replaced word starts in the text */
  start: number;
  options: string[];
}

function quote(key: string): string {
  return /^[\w.\-/:]+$/.test(key) ? key : `\`${key}\``;
}

/** What can complete the word that ends at ``cursor``. */
export function complete(text: string, cursor: number, keys: IKeys): ICompletion {
  const before = text.slice(0, cursor);
  const word = /[\w.\-/:`]*$/.exec(before)![0];
  const start = cursor - word.length;
  const lower = word.toLowerCase();
  for (const [prefix, list] of [['params.', keys.params], ['metrics.', keys.metrics], ['tags.', keys.tags]] as const) {
    if (lower.startsWith(prefix)) {
      const rest = word.slice(prefix.length).replace(/`/g, '');
      return { start, options: list.filter(k => k.startsWith(rest)).map(k => prefix + quote(k)).slice(0, 20) };
    }
  }
  if (!word) {
    // after a field and a space: the operators
    const previous = /([\w.\-/:`]+)\s+$/.exec(before);
    const isField = previous && (/^(params|metrics|tags)\./.test(previous[1]) || ATTRIBUTES.includes(previous[1]));
    return { start, options: isField ? OPERATORS : [] };
  }
  return { start, options: ATTRIBUTES.filter(a => a.startsWith(lower) && a !== lower) };
}

/** ``text`` with the completed word replaced by ``option``; and where the cursor goes. */
export function applyCompletion(text: string, cursor: number, completion: ICompletion, option: string): [string, number] {
  const head = text.slice(0, completion.start) + option;
  const spaced = option.endsWith('.') ? head : `${head} `;
  return [spaced + text.slice(cursor).replace(/^\S*/, ''), spaced.length];
}
