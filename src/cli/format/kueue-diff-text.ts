import { grouped } from '../../core/format.js';
import type { KueueDiff } from '../../export/kueue-diff.js';
import { renderTable } from '../table.js';

const signed = (n: number) => (n > 0 ? `+${grouped(n)}` : grouped(n));
const list = (names: readonly string[]) => (names.length === 0 ? '-' : names.join(', '));

/**
 * A Kueue diff as an operator reads it: which ClusterQueues gain or lose nominal quota of
 * nvidia.com/gpu and by how much, then flavor by flavor, then the objects that appear or go.
 */
export function formatKueueDiff(diff: KueueDiff, month: string): string {
  const lines = [
    `Kueue nominal quota of nvidia.com/gpu, ${diff.from} -> ${diff.to}${diff.from === month || diff.to === month ? '' : ` (${month})`}`,
    `  all queues: ${grouped(diff.totalGpus.before)} -> ${grouped(diff.totalGpus.after)} GPUs (${signed(diff.totalGpus.after - diff.totalGpus.before)})`,
    '',
  ];
  if (diff.queues.length === 0) lines.push('No ClusterQueue gains or loses quota.');
  else {
    lines.push('ClusterQueues that gain or lose quota, largest change first');
    lines.push(
      renderTable(
        ['CLUSTERQUEUE', diff.from, diff.to, 'CHANGE'],
        diff.queues.map((q) => [q.queue, grouped(q.before), grouped(q.after), signed(q.change)]),
        ['left', 'right', 'right', 'right'],
        '  ',
      ),
      '',
      'By flavor',
      renderTable(
        ['CLUSTERQUEUE', 'FLAVOR', diff.from, diff.to, 'CHANGE'],
        diff.quotas.map((q) => [
          q.queue,
          q.flavor,
          grouped(q.before),
          grouped(q.after),
          signed(q.change),
        ]),
        ['left', 'left', 'right', 'right', 'right'],
        '  ',
      ),
    );
  }
  lines.push(
    '',
    `ClusterQueues added: ${list(diff.clusterQueues.added)}`,
    `ClusterQueues removed: ${list(diff.clusterQueues.removed)}`,
    `ResourceFlavors added: ${list(diff.resourceFlavors.added)}`,
    `ResourceFlavors removed: ${list(diff.resourceFlavors.removed)}`,
  );
  return `${lines.join('\n')}\n`;
}
