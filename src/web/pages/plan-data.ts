import { grouped } from '../../core/format.js';
import type { Period } from '../../core/period.js';
import { formatPeriod, periodOf } from '../../core/period.js';
import type { PlanWorkloadRow } from '../api-types';

/**
 * What the plan page computes from the API's bodies, kept apart from React so it is tested
 * alone: month ranges in words, a row's placement in one line, and the table's filter, which
 * must stay well under 100 ms on 5,000 rows.
 */

export interface MonthSpan {
  readonly from: string;
  readonly to: string;
}

/** `2029-07–2029-09`, or `2029-07` for one month. */
export function spanText(span: MonthSpan): string {
  return span.from === span.to ? span.from : `${span.from}–${span.to}`;
}

/** Several ranges: `2029-07, 2029-09–2029-12`. */
export function spansText(spans: readonly MonthSpan[]): string {
  return spans.map(spanText).join(', ');
}

/**
 * A count where space is short, to three figures: `9,184`, `42.5k`, `420k`, `1.44M`, `12.0M`.
 * Cells that use it carry the exact figure in their title; the side panel shows it in full.
 */
export function shortCount(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e7) return `${(value / 1e6).toFixed(1)}M`;
  if (magnitude >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (magnitude >= 1e5) return `${(value / 1e3).toFixed(0)}k`;
  if (magnitude >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return grouped(value);
}

/**
 * What a reason is about, without the detail that changes month to month: the clause of a
 * contract term (`exclusivity term api-on-azure of msft-openai-2025 allows only azure for class
 * api`, without the pools it excludes that month), the pool that is full (without who fills
 * it), and so on. The planner writes the subject, then `: ` or ` (excludes …)`, then the
 * detail.
 *
 * @example reasonKey('pool azure-h100 is full: chatgpt-2028 (50,000)') // 'pool azure-h100 is full'
 */
export function reasonKey(text: string): string {
  const colon = text.indexOf(': ');
  if (colon > 0) return text.slice(0, colon);
  return text.replace(/ \(excludes [^)]*\)$/, '');
}

/** Whether a reason names a contract term (`… term ID of CONTRACT …`). */
export function namesClause(text: string): boolean {
  return /\bterm \S+ of \S+/.test(text);
}

/**
 * The reason a row shows in one line: the first that names a contract clause, else the first;
 * and how many other subjects its reasons have.
 */
export function headlineReason(
  indices: readonly number[],
  keys: readonly string[],
): { text: string; more: number } | undefined {
  const subjects = [...new Set(indices.map((index) => keys[index] ?? ''))];
  const text = subjects.find(namesClause) ?? subjects[0];
  return text === undefined ? undefined : { text, more: subjects.length - 1 };
}

export interface ReasonGroup {
  readonly key: string;
  /** Every month any of its variants was given for. */
  readonly periods: readonly MonthSpan[];
  /** The reasons as the planner wrote them, each with its months. */
  readonly variants: readonly { readonly text: string; readonly periods: readonly MonthSpan[] }[];
}

const monthNumber = (text: string): number =>
  periodOf(Number(text.slice(0, 4)), Number(text.slice(5, 7)));
const monthText = (value: number) => formatPeriod(value as Period);

/** Month ranges joined into sorted, disjoint ranges. */
export function mergeSpans(spans: readonly MonthSpan[]): MonthSpan[] {
  const sorted = spans
    .map((span) => ({ from: monthNumber(span.from), to: monthNumber(span.to) }))
    .sort((a, b) => a.from - b.from);
  const merged: { from: number; to: number }[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to + 1) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged.map((span) => ({ from: monthText(span.from), to: monthText(span.to) }));
}

/** A workload's reasons by subject (see `reasonKey`), in the planner's order. */
export function groupReasons(
  reasons: readonly { readonly text: string; readonly periods: readonly MonthSpan[] }[],
): ReasonGroup[] {
  const groups = new Map<string, { text: string; periods: readonly MonthSpan[] }[]>();
  for (const reason of reasons) {
    const key = reasonKey(reason.text);
    const list = groups.get(key);
    if (list) list.push(reason);
    else groups.set(key, [reason]);
  }
  return [...groups].map(([key, variants]) => ({
    key,
    periods: mergeSpans(variants.flatMap((variant) => variant.periods)),
    variants,
  }));
}

/**
 * A row's placement in one line: its pools with GPU-months each, the largest first (those
 * beyond `limit` counted), then the months it runs in. Pools first: in a narrow column they
 * are what stays visible.
 *
 * @example placementText(row) // 'pool-203 9,184, pool-100 4,592 · 2029-07–2029-09'
 */
export function placementText(row: PlanWorkloadRow, limit = 2): string {
  if (!row.placed) return 'not placed';
  const shown = row.pools
    .slice(0, limit)
    .map((pool) => `${pool.pool} ${shortCount(pool.gpuMonths)}`);
  const more = row.pools.length - limit;
  return `${shown.join(', ')}${more > 0 ? ` +${more} more` : ''} · ${spanText(row.placed)}`;
}

export interface WorkloadFilter {
  /** Free text: workload, class, team, pool, provider or reason (case-insensitive). */
  readonly query: string;
  readonly unmetOnly: boolean;
  /** One class, or '' for all. */
  readonly workloadClass: string;
}

/**
 * A test for the rows that pass the filter. Reasons are searched once, here (a plan has a few
 * thousand distinct ones), then each row by the indices it holds, so the cost per row stays
 * small however long its reasons are; undefined when the filter keeps every row.
 */
export function workloadMatcher(
  reasons: readonly string[],
  filter: WorkloadFilter,
): ((row: PlanWorkloadRow) => boolean) | undefined {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 && !filter.unmetOnly && filter.workloadClass === '') return undefined;
  const reasonHits = words.map((word) => {
    const hits = new Set<number>();
    reasons.forEach((text, index) => {
      if (text.toLowerCase().includes(word)) hits.add(index);
    });
    return hits;
  });
  return (row) => {
    if (filter.unmetOnly && row.unmetGpuMonths <= 0) return false;
    if (filter.workloadClass !== '' && row.class !== filter.workloadClass) return false;
    return words.every((word, w) => {
      if (row.workload.toLowerCase().includes(word)) return true;
      if (row.class.toLowerCase().includes(word)) return true;
      if (row.team?.toLowerCase().includes(word)) return true;
      if (row.pools.some((pool) => pool.pool.toLowerCase().includes(word))) return true;
      if (row.providers.some((provider) => provider.toLowerCase().includes(word))) return true;
      const hits = reasonHits[w];
      return hits !== undefined && row.reasons.some((index) => hits.has(index));
    });
  };
}

/** The rows that pass the filter, in their order (all of them, as given, when it keeps all). */
export function filterWorkloads(
  rows: readonly PlanWorkloadRow[],
  reasons: readonly string[],
  filter: WorkloadFilter,
): readonly PlanWorkloadRow[] {
  const matcher = workloadMatcher(reasons, filter);
  return matcher ? rows.filter(matcher) : rows;
}

/** The classes of the rows, sorted, for the class filter. */
export function classesOf(rows: readonly PlanWorkloadRow[]): string[] {
  return [...new Set(rows.map((row) => row.class))].sort();
}

/** `2026-12-05 14:08 UTC`: the same on every machine, whatever its zone. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A proven gap (a fraction) for people: `0.003 %`, `1.2 %`, `0 %`. */
export function gapText(gap: number): string {
  const percent = gap * 100;
  if (percent === 0) return '0 %';
  if (percent < 0.01) return '< 0.01 %';
  return `${percent < 1 ? percent.toFixed(2) : percent.toFixed(1)} %`;
}

/** Reads `?compare=A..B`; undefined unless both are plan ids. */
export function parseCompare(value: string | null): { a: number; b: number } | undefined {
  const match = /^(\d+)\.\.(\d+)$/.exec(value ?? '');
  if (!match) return undefined;
  const a = Number(match[1]);
  const b = Number(match[2]);
  return a > 0 && b > 0 ? { a, b } : undefined;
}
