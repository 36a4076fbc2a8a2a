import { compareText } from '../core/order.js';
import type { KueueExport } from './kueue.js';

/** One ClusterQueue's nominal quota on one flavor, before and after. */
export interface QuotaChange {
  readonly queue: string;
  readonly flavor: string;
  readonly before: number;
  readonly after: number;
  readonly change: number;
}

/** A ClusterQueue's quota over all its flavors, before and after. */
export interface QueueChange {
  readonly queue: string;
  readonly before: number;
  readonly after: number;
  readonly change: number;
}

/**
 * What a scheduler operator sees change between two exports (two months of a plan, or one
 * month of two plans): queues that gain or lose quota and by how much, flavor by flavor, and
 * the queues and flavors that appear or go.
 */
export interface KueueDiff {
  readonly from: string;
  readonly to: string;
  /** Queues whose total quota changed, the largest change (either way) first. */
  readonly queues: readonly QueueChange[];
  /** Every (queue, flavor) whose quota changed, by queue then flavor. */
  readonly quotas: readonly QuotaChange[];
  readonly clusterQueues: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
  };
  readonly resourceFlavors: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
  };
  readonly totalGpus: { readonly before: number; readonly after: number };
}

/**
 * Compares two exports.
 *
 * @example diffKueue(june, july, { from: '2027-06', to: '2027-07' }).queues[0] // { queue: 'training-abilene', before: 0, after: 111110, change: 111110 }
 */
export function diffKueue(
  before: KueueExport,
  after: KueueExport,
  labels: { readonly from: string; readonly to: string },
): KueueDiff {
  const key = (queue: string, flavor: string) => `${queue}\u0000${flavor}`;
  const rows = new Map<string, { queue: string; flavor: string; before: number; after: number }>();
  for (const q of before.quotas)
    rows.set(key(q.queue, q.flavor), { ...q, before: q.gpus, after: 0 });
  for (const q of after.quotas) {
    const row = rows.get(key(q.queue, q.flavor));
    if (row) row.after = q.gpus;
    else rows.set(key(q.queue, q.flavor), { ...q, before: 0, after: q.gpus });
  }
  const quotas = [...rows.values()]
    .filter((row) => row.before !== row.after)
    .map(({ queue, flavor, before: b, after: a }) => ({
      queue,
      flavor,
      before: b,
      after: a,
      change: a - b,
    }))
    .sort((a, b) => compareText(a.queue, b.queue) || compareText(a.flavor, b.flavor));
  const totals = new Map<string, { before: number; after: number }>();
  for (const row of rows.values()) {
    const total = totals.get(row.queue) ?? { before: 0, after: 0 };
    total.before += row.before;
    total.after += row.after;
    totals.set(row.queue, total);
  }
  const queues = [...totals.entries()]
    .map(([queue, t]) => ({ queue, before: t.before, after: t.after, change: t.after - t.before }))
    .filter((q) => q.change !== 0)
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || compareText(a.queue, b.queue));
  const names = (made: KueueExport, kind: string) =>
    new Set(made.objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const compare = (kind: string) => {
    const was = names(before, kind);
    const is = names(after, kind);
    return {
      added: [...is].filter((n) => !was.has(n)).sort(compareText),
      removed: [...was].filter((n) => !is.has(n)).sort(compareText),
    };
  };
  const sum = (made: KueueExport) => made.quotas.reduce((total, q) => total + q.gpus, 0);
  return {
    from: labels.from,
    to: labels.to,
    queues,
    quotas,
    clusterQueues: compare('ClusterQueue'),
    resourceFlavors: compare('ResourceFlavor'),
    totalGpus: { before: sum(before), after: sum(after) },
  };
}
