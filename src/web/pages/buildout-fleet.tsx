import { grouped } from '../../core/format.js';
import type { InventoryBody, WatchedCapacity } from '../api-types';
import { Failure, Panel } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useApi } from '../queries';
import { capacityStateText } from './inventory-data';

/** A delivery is recorded by serve's sweep, with no event when nothing changed: ask again. */
const REFRESH_MS = 60_000;

const STATE_BADGE: Record<WatchedCapacity['state'], string> = {
  'not-due': 'badge',
  delivered: 'badge good',
  short: 'badge bad',
};

/**
 * Delivered against promised, for every pool and building whose nodes run the agent: what was
 * promised and from when, the healthy GPUs reporting now, and the month's delivery as the
 * server records it from them. Every role that sees the Buildout reads it; the API scopes an
 * operator's answer to its sites.
 */
export function DeliveredPanel({ siteNames }: { siteNames: Record<string, string> }) {
  const inventory = useApi<InventoryBody>('fleet', '/v1/inventory', {
    refetchEveryMs: REFRESH_MS,
  });
  const rows = inventory.data?.capacity;
  let body;
  if (inventory.error) body = <Failure error={inventory.error} />;
  else if (rows && rows.length === 0)
    body = (
      <p className="muted">
        No node agent reports yet, so nothing to set against the promises. Run{' '}
        <code>stargate agent --site SITE</code> on each GPU node of a site (an operator&rsquo;s
        token for it) — see <code>docs/agent.md</code>. Each pool or building whose nodes report
        then shows here.
      </p>
    );
  else
    body = (
      <div
        className="table-box"
        tabIndex={0}
        role="region"
        aria-label="Delivered vs promised, scrollable"
      >
        <table>
          <TableHead
            columns={[
              'Site',
              'Pool or building',
              'Accelerator',
              numeric('Promised GPUs'),
              'From',
              numeric('Healthy now'),
              numeric('Delivered this month'),
              'State',
            ]}
          />
          <tbody aria-busy={rows === undefined}>
            {rows === undefined ? (
              <tr>
                <td colSpan={8} className="muted">
                  Loading…
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={row.pool} className={row.state === 'short' ? 'fleet-short' : undefined}>
                  <td title={row.site}>{siteNames[row.site] ?? row.site}</td>
                  <th scope="row">
                    {row.pool}
                    <span className="muted"> ({row.kind})</span>
                  </th>
                  <td>{row.accelerator}</td>
                  <td className="num">{grouped(row.promisedGpus)}</td>
                  <td>{row.from}</td>
                  <td className="num">{grouped(row.healthyNow)}</td>
                  <td className="num">
                    {row.deliveredThisMonth === undefined
                      ? 'none yet'
                      : grouped(row.deliveredThisMonth)}
                  </td>
                  <td>
                    <span className={STATE_BADGE[row.state]}>
                      {row.state === 'short' && <span aria-hidden="true">▼ </span>}
                      {capacityStateText(row)}
                    </span>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    );
  return (
    <Panel title="Delivered vs promised (node agents)">
      {body}
      <p className="muted legend-note">
        Healthy now: healthy GPUs on the nodes reporting now (a stale node counts none). Delivered
        this month: the server&rsquo;s record from the agents, the median of each day&rsquo;s most
        healthy GPUs so far. Short: due, and this month&rsquo;s delivery is below the promise.
      </p>
    </Panel>
  );
}
