import {
  axisTooltip,
  categoryAxis,
  chartFrame,
  contentTop,
  grid,
  itemTooltip,
  lineEntry,
  rightLegend,
  valueAxis,
} from './frame.js';
import { formatUSDNumber as usd } from '../core/money.js';
import { escapeHtml, fittedScale } from './format.js';
import { measureText } from './text-metrics.js';
import { providerColours } from './theme.js';
import type { ChartOptions, EChartsCoreOption, LedgerJson } from './types.js';

/** A party's name from the ledger, else its id. */
function partyNames(ledger: LedgerJson): (id: string) => string {
  const names = new Map(ledger.parties.map((p) => [p.id, p.name]));
  return (id) => names.get(id) ?? id;
}

/**
 * A colour per party, the same on both ledger charts: a party that sells as a provider takes
 * that provider's colour (as on the capacity charts); the others take the palette's next
 * colours, by sorted id.
 */
function partyColours(ledger: LedgerJson, o: ChartOptions): (id: string) => string {
  const providers = [...(o.providers ?? []), ...ledger.parties.flatMap((p) => p.providers ?? [])];
  const byProvider = providerColours(providers, o.theme);
  const offset = new Set(providers).size;
  // Only parties that move money: eight colours go round faster than parties do.
  const moving = new Set([
    ...ledger.flows.flatMap((f) => [f.from, f.to]),
    ...(ledger.capital?.funders.map((f) => f.party) ?? []),
  ]);
  const others = ledger.parties
    .filter((p) => (p.providers ?? []).length === 0 && moving.has(p.id))
    .map((p) => p.id)
    .sort();
  const palette = o.theme.palette;
  const colours = new Map<string, string>();
  for (const party of ledger.parties) {
    const provider = party.providers?.[0];
    const colour =
      provider === undefined
        ? palette[(offset + others.indexOf(party.id)) % palette.length]
        : byProvider.get(provider);
    colours.set(party.id, colour ?? o.theme.muted);
  }
  return (id) => colours.get(id) ?? o.theme.muted;
}

interface Link {
  readonly source: string;
  readonly target: string;
  readonly from: string;
  readonly to: string;
  value: number;
  readonly kinds: string[];
}

const PAYS = 'pays:';
const GETS = 'gets:';

/**
 * Money between parties as a Sankey: who pays on the left, who receives on the right, a band
 * per pair of parties (its kinds — compute, capital call, revenue share… — in the tooltip),
 * for one of the ledger's periods (`period`, a label such as `2027`) or all of them. Money
 * goes round (the lab pays Microsoft, Microsoft shares revenue back), and a Sankey must not
 * loop, so each party has a node on each side instead of one node in the middle. Pairs that
 * moved nothing in the period, and a party paying itself, are left out.
 */
export function flowsSankey(
  ledger: LedgerJson,
  o: ChartOptions & { readonly period?: string },
): EChartsCoreOption {
  const name = partyNames(ledger);
  const links = new Map<string, Link>();
  for (const flow of ledger.flows) {
    if (flow.from === flow.to) continue;
    const amount =
      o.period === undefined
        ? flow.totalUSD
        : (flow.periods.find((p) => p.period === o.period)?.amountUSD ?? 0);
    if (amount <= 0) continue;
    const key = `${flow.from}\u0000${flow.to}`;
    const link = links.get(key) ?? {
      source: PAYS + flow.from,
      target: GETS + flow.to,
      from: flow.from,
      to: flow.to,
      value: 0,
      kinds: [],
    };
    link.value = Math.round((link.value + amount) * 100) / 100;
    if (!link.kinds.includes(flow.kind)) link.kinds.push(flow.kind);
    links.set(key, link);
  }
  const all = [...links.values()];
  const payers = [...new Set(all.map((l) => l.from))];
  const payees = [...new Set(all.map((l) => l.to))];
  const colour = partyColours(ledger, o);
  const sum = (ids: (l: Link) => boolean) =>
    all.filter(ids).reduce((total, l) => total + l.value, 0);
  const when = o.period === undefined ? `${ledger.horizon.from} to ${ledger.horizon.to}` : o.period;

  const description =
    all.length === 0
      ? `No money moved between parties in ${when}.`
      : `Money between parties, ${when}; payers on the left, receivers on the right: ${all
          .map((l) => `${name(l.from)} to ${name(l.to)} ${usd(l.value)} (${l.kinds.join(', ')})`)
          .join('; ')}.`;
  const frame = chartFrame(o, description);
  if (all.length === 0)
    return { ...frame, ...emptyTitle(o, `No money moved between parties in ${when}`) };

  // Beside each node the party and what it pays or receives, on one line where it is short
  // (so that the labels of small nodes do not run into each other), wrapped where a long name
  // would take the chart's width; the margins hold the widest line.
  const label = (id: string, side: 'left' | 'right', amount: number) =>
    wrapLabel(name(id), `${side === 'left' ? 'pays' : 'receives'} ${usd(amount)}`);
  const paid = (id: string) => sum((l) => l.from === id);
  const received = (id: string) => sum((l) => l.to === id);
  const labelSide = (side: 'left' | 'right') => ({
    position: side,
    distance: LABEL_DISTANCE,
    color: o.theme.text,
    fontSize: LABEL_FONT_SIZE,
    lineHeight: 15,
    formatter: (p: { name?: string; value?: unknown }) =>
      label((p.name ?? '').slice(PAYS.length), side, typeof p.value === 'number' ? p.value : 0),
  });
  return {
    ...frame,
    tooltip: {
      ...itemTooltip(o.theme),
      formatter: (p: { dataType?: string; data?: unknown; name?: string; value?: unknown }) => {
        if (p.dataType === 'edge') {
          const link = p.data as Link;
          return `${escapeHtml(name(link.from))} → ${escapeHtml(name(link.to))}: ${usd(link.value)}<br>${escapeHtml(link.kinds.join(', '))}`;
        }
        const id = (p.name ?? '').slice(PAYS.length);
        const verb = (p.name ?? '').startsWith(PAYS) ? 'pays' : 'receives';
        return `${escapeHtml(name(id))} ${verb} ${usd(typeof p.value === 'number' ? p.value : 0)}`;
      },
    },
    series: [
      {
        type: 'sankey',
        left: sankeyMargin(payers.map((id) => label(id, 'left', paid(id)))),
        right: sankeyMargin(payees.map((id) => label(id, 'right', received(id)))),
        top: contentTop(o) + 16,
        bottom: 16,
        nodeWidth: 14,
        nodeGap: 16,
        nodeAlign: 'justify',
        layoutIterations: 0,
        draggable: false,
        data: [
          ...payers.map((id) => ({
            name: PAYS + id,
            depth: 0,
            value: paid(id),
            itemStyle: { color: colour(id) },
            label: labelSide('left'),
          })),
          ...payees.map((id) => ({
            name: GETS + id,
            depth: 1,
            value: received(id),
            itemStyle: { color: colour(id) },
            label: labelSide('right'),
          })),
        ],
        links: all.map((l) => ({ ...l, kinds: [...l.kinds] })),
        lineStyle: { color: 'source', opacity: 0.35, curveness: 0.5 },
        emphasis: { focus: 'adjacency' },
      },
    ],
  };
}

const LABEL_FONT_SIZE = 12;
const LABEL_FONT = `${LABEL_FONT_SIZE}px Arial`;
/** Pixels between a node and its label. */
const LABEL_DISTANCE = 5;
/** A label line wider than this (in Arial) wraps: a long party name keeps the bands wide. */
const LABEL_LINE = 220;
/**
 * The page sets labels in the system's sans-serif, which runs wider than the Arial measured
 * here (DejaVu Sans, Linux's usual, by about 14 %): the margins leave that much and more.
 */
export const LABEL_FONT_SLACK = 1.2;

/**
 * A node's label: the party's name and what it pays or receives, words wrapped into lines of
 * at most `LABEL_LINE` pixels; the amount (`receives $203.0B`) is never split from its verb.
 */
function wrapLabel(party: string, amount: string): string {
  // The amount is one word: its verb and figure stay together.
  const words = [...party.split(' '), amount];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && measureText(next, LABEL_FONT).width > LABEL_LINE) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

/** A side's margin: room for its widest label line in the page's font, and the gap to it. */
function sankeyMargin(labels: readonly string[]): number {
  const widest = Math.max(
    0,
    ...labels.flatMap((text) =>
      text.split('\n').map((line) => measureText(line, LABEL_FONT).width),
    ),
  );
  return Math.ceil(widest * LABEL_FONT_SLACK) + LABEL_DISTANCE + 8;
}

function emptyTitle(o: ChartOptions, text: string) {
  const empty = {
    text,
    left: 'center',
    top: 'middle',
    textStyle: { color: o.theme.muted, fontSize: 14, fontWeight: 'normal' },
  };
  return {
    title:
      o.title === undefined
        ? [empty]
        : [
            {
              text: o.title,
              left: 16,
              top: 10,
              textStyle: { color: o.theme.text, fontSize: 17, fontWeight: 600 },
            },
            empty,
          ],
  };
}

const COMMITTED = 'Committed, all funders';

/**
 * Capital called to date against committed, per funder, at the end of each of the ledger's
 * periods: a stacked bar per funder (its equity in the legend) under a line of what all
 * funders have committed by then.
 *
 * The ledger splits each call among the funders pro rata to `equityPercent` (parts rounded
 * down to the cent, the cents left over to the largest remainders: core/ledger/capital.ts,
 * `splitCents`), and reports per period only the company's totals. So a funder's called to
 * date here is the company's called to date × its equity ÷ all funders' equity, within a cent
 * per call of the books; its commitment is the committed total split the same way (the
 * programme commits for all funders together). Without a programme (`ledger.capital` null)
 * the chart says so.
 */
export function capitalChart(ledger: LedgerJson, o: ChartOptions): EChartsCoreOption {
  const capital = ledger.capital;
  if (capital === null) {
    const text = 'No capital programme in this scenario';
    return { ...chartFrame(o, `${text}.`), ...emptyTitle(o, text) };
  }
  const name = partyNames(ledger);
  const periods = capital.periods.map((p) => p.period);
  const equity = capital.funders.reduce((sum, f) => sum + f.equityPercent, 0);
  const colour = partyColours(ledger, o);
  const funders = capital.funders.map((f) => {
    const part = equity > 0 ? f.equityPercent / equity : 0;
    return {
      id: f.party,
      label: `${name(f.party)} called (${f.equityPercent}%)`,
      name: name(f.party),
      part,
      colour: colour(f.party),
      called: capital.periods.map((p) => Math.round(p.calledToDateUSD * part * 100) / 100),
      committed: capital.periods.map((p) => Math.round(p.committedUSD * part * 100) / 100),
    };
  });
  const committed = capital.periods.map((p) => p.committedUSD);
  const { legend, width } = rightLegend(o, [...funders.map((f) => f.label), lineEntry(COMMITTED)]);
  const last = capital.periods[capital.periods.length - 1];
  const description = `Capital called to date against committed, per funder, ${periods[0] ?? ''} to ${periods[periods.length - 1] ?? ''}: by ${last?.period ?? ''} ${usd(last?.calledToDateUSD ?? 0)} called of ${usd(last?.committedUSD ?? 0)} committed (${usd(capital.totalUSD)} in the programme); ${funders
    .map(
      (f) =>
        `${f.name} ${usd(f.called[f.called.length - 1] ?? 0)} of ${usd(f.committed[f.committed.length - 1] ?? 0)}`,
    )
    .join('; ')}.`;

  return {
    ...chartFrame(o, description),
    legend,
    grid: grid(o, width),
    tooltip: axisTooltip(o.theme, (i) =>
      [
        `<b>${escapeHtml(periods[i] ?? '')}</b>: called to date ${usd(capital.periods[i]?.calledToDateUSD ?? 0)} of ${usd(committed[i] ?? 0)} committed`,
        ...funders.map(
          (f) =>
            `${escapeHtml(f.name)} (${f.part === 0 ? '0' : (f.part * 100).toFixed(1)}%): ${usd(f.called[i] ?? 0)} of ${usd(f.committed[i] ?? 0)}`,
        ),
      ].join('<br>'),
    ),
    xAxis: categoryAxis(o.theme, periods, { boundaryGap: true }),
    yAxis: valueAxis(o.theme, {
      name: 'USD to date',
      scale: fittedScale(
        Math.max(1, ...committed, ...capital.periods.map((p) => p.calledToDateUSD)),
      ),
      formatter: usd,
    }),
    series: [
      ...funders.map((f) => ({
        type: 'bar',
        name: f.label,
        stack: 'called',
        data: f.called,
        barCategoryGap: '35%',
        itemStyle: { color: f.colour },
      })),
      {
        type: 'line',
        name: COMMITTED,
        data: committed,
        step: 'middle',
        symbol: 'rect',
        symbolSize: 6,
        lineStyle: { color: o.theme.text, width: 2, type: 'dashed' },
        itemStyle: { color: o.theme.text },
        z: 3,
      },
    ],
  };
}
