import { centsOf, formatUSDCompact } from '../core/money.js';
import type { Io } from './io.js';

/**
 * A one-line progress bar on stderr, redrawn in place; only for terminals (callers check
 * `io.errIsTTY`), so logs and pipes stay clean.
 */
export function progressBar(io: Io): {
  update: (fraction: number, best: number, bound: number) => void;
  done: () => void;
} {
  let last = -1;
  let lastBest = NaN;
  let lastBound = NaN;
  return {
    update: (fraction, best, bound) => {
      const percent = Math.floor(fraction * 100);
      if (percent === last && best === lastBest && bound === lastBound) return;
      last = percent;
      lastBest = best;
      lastBound = bound;
      const width = 30;
      const filled = Math.round(fraction * width);
      const gap = Number.isFinite(bound) ? ((best - bound) / Math.max(best, 1)) * 100 : NaN;
      io.err(
        `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(percent).padStart(3)}%  best ${formatUSDCompact(centsOf(best), { billionDigits: 2 })}  bound ${Number.isFinite(bound) ? formatUSDCompact(centsOf(bound), { billionDigits: 2 }) : '-'}  gap ${Number.isFinite(gap) ? `${gap.toFixed(3)}%` : '-'}`,
      );
    },
    done: () => {
      if (last >= 0) io.err('\r\u001b[2K');
    },
  };
}
