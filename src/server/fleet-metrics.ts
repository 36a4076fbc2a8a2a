import { sql } from 'drizzle-orm';
import type { Store } from '../store/db.js';
import type { FleetSettings } from '../store/fleet.js';
import { liveNodeSql } from '../store/fleet.js';
import type { Clock } from './app.js';
import type { Metrics } from './metrics.js';

/**
 * The fleet in /metrics, per site: nodes reporting and stale, GPUs healthy and unhealthy (of
 * live nodes). One grouped query per scrape serves the four gauges.
 */
export function registerFleetGauges(
  metrics: Metrics,
  store: Store,
  clock: Clock,
  settings: FleetSettings,
): void {
  let pending: Promise<SiteRow[]> | undefined;
  const bySite = (): Promise<SiteRow[]> => {
    // The four gauges of one scrape read one answer.
    pending ??= read().finally(() => {
      setTimeout(() => {
        pending = undefined;
      }, 1000).unref();
    });
    return pending;
  };
  const read = async (): Promise<SiteRow[]> => {
    const now = await clock(store.db);
    const result = await store.db.execute(sql`
      select site_id as site,
        count(*) filter (where live)::int as nodes,
        count(*) filter (where not live)::int as stale,
        coalesce(sum(healthy_count) filter (where live), 0)::int as healthy,
        coalesce(sum(gpu_count - healthy_count) filter (where live), 0)::int as unhealthy
      from (
        select site_id, healthy_count, gpu_count,
          ${liveNodeSql(now, settings)} as live
        from fleet_nodes
      ) nodes
      group by site_id
      order by site_id`);
    return (result as { rows: SiteRow[] }).rows;
  };
  const gauge = (name: string, help: string, pick: (row: SiteRow) => number) => {
    metrics.labeledGauge(name, help, async () =>
      (await bySite()).map((row) => ({ labels: { site: row.site }, value: pick(row) })),
    );
  };
  gauge(
    'stargate_fleet_nodes_reporting',
    'Nodes whose agent reported within 3 intervals.',
    (r) => r.nodes,
  );
  gauge('stargate_fleet_nodes_stale', 'Nodes silent for 3 intervals or more.', (r) => r.stale);
  gauge('stargate_fleet_gpus_healthy', 'Healthy GPUs on reporting nodes.', (r) => r.healthy);
  gauge('stargate_fleet_gpus_unhealthy', 'Unhealthy GPUs on reporting nodes.', (r) => r.unhealthy);
}

interface SiteRow {
  readonly site: string;
  readonly nodes: number;
  readonly stale: number;
  readonly healthy: number;
  readonly unhealthy: number;
}
