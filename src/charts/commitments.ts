import {
  axisTooltip,
  categoryAxis,
  chartFrame,
  colourOf,
  grid,
  nameOf,
  rightLegend,
  valueAxis,
} from './frame.js';
import { formatUSDNumber as usd } from '../core/money.js';
import { escapeHtml, fittedScale } from './format.js';
import type { ChartOptions, EChartsCoreOption, LedgerJson } from './types.js';

const SYMBOLS = ['circle', 'rect', 'triangle', 'diamond', 'pin', 'arrow'];

/**
 * Each take-or-pay commitment's minimum still to spend at the end of each of the ledger's
 * periods, one line each, from the minimum down to zero (met) or to the shortfall left at the
 * window's end. The axis starts at the largest minimum, so a line's fall is its progress.
 * Commitments of one provider share its colour and differ by marker.
 */
export function commitmentBurndownChart(ledger: LedgerJson, o: ChartOptions): EChartsCoreOption {
  const periods: string[] = [];
  for (const c of ledger.commitments) {
    for (const p of c.periods) if (!periods.includes(p.period)) periods.push(p.period);
  }
  // Every provider the ledger's parties sell as, so colours match the other charts.
  const colourFor = colourOf(o, [
    ...ledger.parties.flatMap((p) => p.providers ?? []),
    ...ledger.commitments.map((c) => c.provider),
  ]);
  const seen = new Map<string, number>();
  // The provider and the term name a commitment, unless two contracts use one term id.
  const short = (c: LedgerJson['commitments'][number]) => `${nameOf(o, c.provider)} · ${c.term}`;
  const shorts = ledger.commitments.map(short);
  const lines = ledger.commitments.map((c) => {
    const nth = seen.get(c.provider) ?? 0;
    seen.set(c.provider, nth + 1);
    const byPeriod = new Map(c.periods.map((p) => [p.period, p]));
    const unique = shorts.filter((s) => s === short(c)).length === 1;
    return {
      name: unique ? short(c) : `${nameOf(o, c.provider)} · ${c.contract}/${c.term}`,
      colour: colourFor(c.provider),
      symbol: SYMBOLS[nth % SYMBOLS.length] ?? 'circle',
      commitment: c,
      remaining: periods.map((p) => byPeriod.get(p)?.remainingUSD ?? null),
      toDate: periods.map((p) => byPeriod.get(p)?.spendToDateUSD ?? null),
    };
  });
  const { legend, width } = rightLegend(
    o,
    lines.map((l) => l.name),
  );
  const description =
    lines.length === 0
      ? 'No take-or-pay commitments in this scenario.'
      : `Minimum spend still to go on each take-or-pay commitment at the end of each period, ${periods[0] ?? ''} to ${periods[periods.length - 1] ?? ''}: ${lines
          .map(
            (l) =>
              `${l.name}: minimum ${usd(l.commitment.minSpendUSD)} from ${l.commitment.window.from} to ${l.commitment.window.to}, spent ${usd(l.commitment.spendUSD)}, shortfall ${usd(l.commitment.shortfallUSD)}`,
          )
          .join('; ')}.`;

  return {
    ...chartFrame(o, description),
    legend,
    grid: grid(o, width),
    tooltip: axisTooltip(o.theme, (i) =>
      [
        `<b>${escapeHtml(periods[i] ?? '')}</b>`,
        ...lines.map((l) => {
          const remaining = l.remaining[i];
          const toDate = l.toDate[i];
          return remaining === null || remaining === undefined
            ? `${escapeHtml(l.name)}: outside the ledger's periods`
            : `${escapeHtml(l.name)}: ${usd(remaining)} to go of ${usd(l.commitment.minSpendUSD)}; spent to date ${usd(toDate ?? 0)}`;
        }),
      ].join('<br>'),
    ),
    xAxis: categoryAxis(o.theme, periods, { boundaryGap: false }),
    yAxis: valueAxis(o.theme, {
      name: 'Minimum still to spend',
      scale: fittedScale(Math.max(0, ...ledger.commitments.map((c) => c.minSpendUSD))),
      formatter: usd,
    }),
    series: lines.map((l) => ({
      type: 'line',
      name: l.name,
      data: l.remaining,
      symbol: l.symbol,
      symbolSize: 7,
      lineStyle: { color: l.colour, width: 2 },
      itemStyle: { color: l.colour },
    })),
  };
}
