import { useSyncExternalStore } from 'react';

// One clock for every ticking cell on the page (countdowns, "last seen"): each one re-renders
// itself once a second, the page and the table around it not at all.
const ticks = new Set<() => void>();
let ticker: number | undefined;

function subscribeTick(onTick: () => void): () => void {
  ticks.add(onTick);
  ticker ??= window.setInterval(() => {
    for (const tick of ticks) tick();
  }, 1000);
  return () => {
    ticks.delete(onTick);
    if (ticks.size === 0 && ticker !== undefined) {
      window.clearInterval(ticker);
      ticker = undefined;
    }
  };
}

/** The current time to the second (ms since the epoch), re-rendering the caller each second. */
export function useSecond(): number {
  return useSyncExternalStore(subscribeTick, () => Math.floor(Date.now() / 1000) * 1000);
}
