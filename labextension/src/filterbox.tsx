/** The filter box: the --where language with completion, and its errors shown in place. */
import * as React from 'react';

import { applyCompletion, complete, ICompletion, IKeys } from './completion';

export interface IFilterError {
  message: string;
  position: number | null;
}

export function FilterError(props: { where: string; error: IFilterError }) {
  const { where, error } = props;
  return (
    <div className="jp-dlops-filter-error" role="alert">
      {error.position !== null && (
        <pre className="jp-dlops-caret" aria-hidden="true">
          {where}
          {'\n'}
          {' '.repeat(error.position)}^
        </pre>
      )}
      <span>{error.message}</span>
    </div>
  );
}

/** ``initial``: the filter shown at first (a saved view's; the box is remounted to apply another). */
export function FilterBox(props: { keys: IKeys; onApply: (where: string) => void; initial?: string }) {
  const [draft, setDraft] = React.useState(props.initial ?? '');
  const [completion, setCompletion] = React.useState<ICompletion | null>(null);
  const [active, setActive] = React.useState(0);
  const input = React.useRef<HTMLInputElement>(null);
  const suggest = (text: string, cursor: number) => {
    const found = complete(text, cursor, props.keys);
    setCompletion(found.options.length ? found : null);
    setActive(0);
  };
  const accept = (option: string) => {
    const cursor = input.current?.selectionStart ?? draft.length;
    const [text, at] = applyCompletion(draft, cursor, completion!, option);
    setDraft(text);
    suggest(text, at);
    window.requestAnimationFrame(() => input.current?.setSelectionRange(at, at));
    input.current?.focus();
  };
  const onKey = (e: React.KeyboardEvent<HTMLInputElement>) => {
    const options = completion?.options ?? [];
    if ((e.key === 'Tab' || (e.key === 'Enter' && e.altKey)) && options.length) {
      e.preventDefault();
      accept(options[active]);
    } else if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      setActive((active + 1) % options.length);
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      setActive((active + options.length - 1) % options.length);
    } else if (e.key === 'Enter') {
      setCompletion(null);
      props.onApply(draft.trim());
    } else if (e.key === 'Escape') {
      setCompletion(null);
    }
  };
  return (
    <div className="jp-dlops-filter-box">
      <input
        ref={input}
        className="jp-dlops-filter"
        placeholder="metrics.acc > 0.9 and params.lr < 0.1"
        value={draft}
        aria-label="Filter runs"
        aria-autocomplete="list"
        onChange={e => {
          setDraft(e.target.value);
          suggest(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onKeyDown={onKey}
        onBlur={() => window.setTimeout(() => setCompletion(null), 150)}
        title="Filter with the --where language of `dlops runs` (Tab completes)"
      />
      {completion && (
        <ul className="jp-dlops-completions" role="listbox">
          {completion.options.map((option, i) => (
            <li
              key={option}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'jp-mod-active' : ''}
              onMouseDown={e => {
                e.preventDefault();
                accept(option);
              }}
            >
              {option}
            </li>
          ))}
        </ul>
      )}
      <button className="jp-mod-styled jp-dlops-apply" onClick={() => props.onApply(draft.trim())}>
        Filter
      </button>
    </div>
  );
}
