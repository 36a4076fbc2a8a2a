import { grouped, tableOr, when } from './format.js';
import type { Inventory, NodeDetail, NodeView } from './types.js';

/** The fleet for people: what `stargate inventory` prints. */

export function inventoryText(inventory: Inventory): string {
  const { totals } = inventory;
  const lines = [
    `${grouped(totals.healthy)} of ${grouped(totals.gpus)} GPUs healthy on ${grouped(totals.nodes - totals.staleNodes)} reporting nodes; ${grouped(totals.staleNodes)} stale (as of ${when(inventory.at)})`,
    '',
    tableOr(
      'No node has reported yet: run stargate agent on the GPU nodes (docs/agent.md).',
      ['SITE', 'POOL', 'ACCELERATOR', 'NODES', 'STALE', 'GPUS', 'HEALTHY', 'UNHEALTHY'],
      inventory.groups.map((g) => [
        g.site,
        g.pool ?? '(none)',
        g.accelerator ?? '-',
        grouped(g.nodes),
        grouped(g.staleNodes),
        grouped(g.gpus),
        grouped(g.healthy),
        grouped(g.unhealthy),
      ]),
      ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'],
    ),
  ];
  if (inventory.capacity.length > 0) {
    lines.push(
      'Delivered vs promised:',
      tableOr(
        '',
        ['POOL', 'KIND', 'SITE', 'PROMISED', 'FROM', 'HEALTHY NOW', 'THIS MONTH', 'STATE'],
        inventory.capacity.map((c) => [
          c.pool,
          c.kind,
          c.site,
          grouped(c.promisedGpus),
          c.from,
          grouped(c.healthyNow),
          c.deliveredThisMonth === undefined ? '-' : grouped(c.deliveredThisMonth),
          c.state,
        ]),
        ['left', 'left', 'left', 'right', 'left', 'right', 'right', 'left'],
        '  ',
      ),
    );
  }
  if (inventory.unhealthy.length > 0) {
    lines.push(
      'Unhealthy GPUs:',
      tableOr(
        '',
        ['NODE', 'GPU', 'SITE', 'POOL', 'WHY'],
        inventory.unhealthy.map((u) => [
          u.node,
          String(u.gpu),
          u.site,
          u.pool ?? '-',
          u.reasons.join('; '),
        ]),
        ['left', 'right'],
        '  ',
      ),
    );
  }
  if (inventory.stale.length > 0) {
    lines.push(
      `Stale nodes (no heartbeat for ${inventory.thresholds.staleAfterIntervals} intervals):`,
      tableOr(
        '',
        ['NODE', 'SITE', 'POOL', 'LAST SEEN', 'INTERVAL', 'GPUS'],
        inventory.stale.map((s) => [
          s.node,
          s.site,
          s.pool ?? '-',
          when(s.lastSeen),
          `${s.intervalSeconds} s`,
          grouped(s.gpus),
        ]),
        ['left', 'left', 'left', 'left', 'right', 'right'],
        '  ',
      ),
    );
  }
  return lines.join('\n');
}

export function nodesTable(nodes: readonly NodeView[]): string {
  return tableOr(
    'No node has reported yet.',
    ['NODE', 'SITE', 'POOL', 'ACCELERATOR', 'GPUS', 'HEALTHY', 'STATE', 'LAST SEEN', 'DRIVER'],
    nodes.map((n) => [
      n.node,
      n.site,
      n.pool ?? '-',
      n.accelerator ?? '-',
      grouped(n.gpus),
      grouped(n.healthy),
      n.stale ? 'stale' : 'reporting',
      when(n.lastSeen),
      n.driverVersion ?? '-',
    ]),
    ['left', 'left', 'left', 'left', 'right', 'right'],
  );
}

/** One node: its line, each GPU with what was read and why it is unhealthy, recent history. */
export function nodeText(node: NodeDetail): string {
  const number = (value: number | undefined, unit: string) =>
    value === undefined ? '-' : `${value}${unit}`;
  return [
    nodesTable([node]),
    `Driver ${node.driverVersion ?? '-'}, CUDA ${node.cudaVersion ?? '-'}; first seen ${when(node.firstSeen)}; last sent by ${node.sentBy}`,
    '',
    'GPUs:',
    tableOr(
      '',
      ['GPU', 'NAME', 'TEMP', 'POWER', 'LIMIT', 'ECC', 'HEALTHY', 'WHY NOT'],
      node.gpuDetail.map((gpu) => [
        String(gpu.reading.index),
        gpu.reading.name ?? '-',
        number(gpu.reading.temperatureC, ' °C'),
        number(gpu.reading.powerDrawW, ' W'),
        number(gpu.reading.powerLimitW, ' W'),
        number(gpu.reading.eccUncorrectedVolatile, ''),
        gpu.healthy ? 'yes' : 'no',
        gpu.reasons.join('; ') || '-',
      ]),
      ['right', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
      '  ',
    ),
    'History (newest first):',
    tableOr(
      '  none yet',
      ['RECEIVED', 'GPUS', 'HEALTHY', 'SENT BY'],
      node.history
        .slice(0, 10)
        .map((h) => [when(h.receivedAt), grouped(h.gpus), grouped(h.healthy), h.sentBy]),
      ['left', 'right', 'right', 'left'],
      '  ',
    ),
  ].join('\n');
}
