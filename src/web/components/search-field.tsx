import { useCallback, useDeferredValue, useState } from 'react';
import { setQuery, useLocation } from '../router';

/**
 * A page's search text, kept in the URL's `q` so that a filtered view can be linked. `text` is
 * what the box shows; `query`, what to filter by, lags it while React is busy, so typing stays
 * quick over a table of thousands of rows.
 */
export function useSearchText(): {
  text: string;
  query: string;
  setText: (text: string) => void;
} {
  const { search } = useLocation();
  const [text, setTyped] = useState(search.get('q') ?? '');
  const query = useDeferredValue(text);
  const setText = useCallback((value: string) => {
    setTyped(value);
    setQuery('q', value);
  }, []);
  return { text, query, setText };
}

/** The search box of a page's filters, labelled "Search". */
export function SearchField({
  value,
  placeholder,
  onValue,
}: {
  value: string;
  placeholder: string;
  onValue: (value: string) => void;
}) {
  return (
    <label>
      <span>Search</span>
      <input
        type="search"
        value={value}
        placeholder={placeholder}
        onChange={(event) => {
          onValue(event.target.value);
        }}
      />
    </label>
  );
}
