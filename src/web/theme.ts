import { useSyncExternalStore } from 'react';
import type { ChartTheme } from '../charts/theme.js';
import { darkTheme, lightTheme } from '../charts/theme.js';

/** Light or dark, as the system says; charts redraw when it changes. */
const query = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(onChange: () => void): () => void {
  const media = query();
  media.addEventListener('change', onChange);
  return () => {
    media.removeEventListener('change', onChange);
  };
}

export function useChartTheme(): ChartTheme {
  const dark = useSyncExternalStore(subscribe, () => query().matches);
  return dark ? darkTheme : lightTheme;
}
