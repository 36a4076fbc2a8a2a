import type { UseQueryResult } from '@tanstack/react-query';
import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useCallback, useMemo, useState } from 'react';
import { grouped } from '../../core/format.js';
import type {
  AwardView,
  DeliveryView,
  LateDelivery,
  OfferWithRequest,
  QuoteView,
} from '../api-types';
import { Failure, Panel, Stat } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useApi } from '../queries';
import { setQuery, useLocation } from '../router';
import { NewRequestDialog } from './offers-actions';
import type { LabRequest, RequestRow } from './offers-data';
import { headline, requestRows } from './offers-data';
import { Countdown, StateBadge, windowText } from './offers-parts';
import { RequestPipeline } from './offers-request';
import { utcText } from './offers-time';

/**
 * Procurement as the lab reads it: every request with where it stands in the pipeline
 * (request → offers → quotes → award → deliveries), the offers waiting for a holder, and the
 * deliveries that are late. A request opens in place (`?request=ID`, so it can be linked).
 */

const STATES = ['offered', 'cleared', 'awarded', 'fulfilled'] as const;
const REQUEST_COLUMNS = [
  'Request',
  'Accelerator',
  numeric('GPUs'),
  'Window',
  'Class',
  'State',
  'Offers',
  numeric('Quotes'),
  'Awards',
  'Delivered',
];

export function LabProcurement({ canAct }: { canAct: boolean }) {
  const { search } = useLocation();
  const openId = Number(search.get('request') ?? '') || undefined;
  const stateParam = search.get('state') ?? '';
  const state = (STATES as readonly string[]).includes(stateParam) ? stateParam : undefined;
  const queries = useQueryClient();
  const requests = useApi<LabRequest[]>('procurement', '/v1/requests');
  const offers = useApi<OfferWithRequest[]>('procurement', '/v1/offers');
  const quotes = useApi<QuoteView[]>('procurement', '/v1/quotes');
  const awards = useApi<AwardView[]>('procurement', '/v1/awards');
  const deliveries = useApi<DeliveryView[]>('deliveries', '/v1/deliveries');
  const late = useApi<LateDelivery[]>('deliveries', '/v1/procurement/late');
  const [creating, setCreating] = useState(false);
  const refresh = useCallback(() => {
    void queries.invalidateQueries({ queryKey: ['procurement'] });
    void queries.invalidateQueries({ queryKey: ['deliveries'] });
  }, [queries]);

  const rows = useMemo(
    () =>
      requestRows(
        {
          requests: requests.data ?? [],
          offers: offers.data ?? [],
          quotes: quotes.data ?? [],
          awards: awards.data ?? [],
          deliveries: deliveries.data ?? [],
          late: late.data ?? [],
        },
        state,
      ),
    [requests.data, offers.data, quotes.data, awards.data, deliveries.data, late.data, state],
  );
  const counts = headline(requests.data ?? [], offers.data ?? []);
  const pending = (offers.data ?? [])
    .filter((offer) => offer.state === 'pending')
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
  const error = requests.error ?? offers.error ?? quotes.error ?? awards.error;
  const loading = requests.isPending || offers.isPending;
  const show = (value: number) => (loading ? '…' : grouped(value));

  return (
    <section className="page offers" aria-busy={loading}>
      <header className="page-header">
        <h1>Offers and procurement</h1>
        {canAct && (
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setCreating(true);
              }}
            >
              Request capacity
            </button>
          </div>
        )}
      </header>
      {error && <Failure error={error} />}
      <div className="stats offers-stats">
        <Stat label="Offers waiting for a holder" value={show(counts.pendingOffers)} />
        <Stat label="Requests cleared, to award" value={show(counts.cleared)} />
        <Stat label="Awarded" value={show(counts.awarded)} />
        <Stat label="Fulfilled by a holder" value={show(counts.fulfilled)} />
        <Stat
          label="Late deliveries"
          value={late.isPending ? '…' : grouped((late.data ?? []).length)}
        />
      </div>

      {pending.length > 0 && (
        <Panel title="Waiting for a holder">
          <table>
            <TableHead
              columns={['Offer', 'Request', 'Holder', 'Capacity', 'Answer by', 'Time left']}
            />
            <tbody>
              {pending.map((offer) => (
                <tr key={offer.id}>
                  <th scope="row">{offer.id}</th>
                  <td>
                    <RequestLink id={offer.request} />
                  </td>
                  <td>{offer.holder}</td>
                  <td>
                    {grouped(offer.gpus)} {offer.requested.accelerator},{' '}
                    {windowText(offer.requested.window)}
                  </td>
                  <td>{utcText(offer.deadline)}</td>
                  <td>
                    <Countdown
                      createdAt={offer.createdAt}
                      deadline={offer.deadline}
                      onLapse={refresh}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}

      <section className="panel" aria-labelledby="requests-title">
        <header className="requests-header">
          <h2 id="requests-title">Requests</h2>
          <label htmlFor="requests-state">State</label>
          <select
            id="requests-state"
            value={state ?? ''}
            onChange={(event) => {
              setQuery('state', event.target.value);
            }}
          >
            <option value="">all</option>
            {STATES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </header>
        {loading ? (
          <div className="requests-loading" aria-hidden="true" />
        ) : rows.length === 0 ? (
          <p className="muted">
            {state ? `No request is ${state}.` : 'No capacity has been requested yet.'}
          </p>
        ) : (
          <table className="requests">
            <TableHead columns={REQUEST_COLUMNS} />
            <tbody>
              {rows.map((row) => (
                <RequestLine
                  key={row.request.id}
                  row={row}
                  open={row.request.id === openId}
                  canAct={canAct}
                  deliveries={deliveries.data ?? []}
                  late={late.data ?? []}
                  onChanged={refresh}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>

      <LatePanel late={late} />

      {creating && (
        <NewRequestDialog
          onClose={() => {
            setCreating(false);
          }}
          onCreated={(id) => {
            refresh();
            setQuery('state', undefined);
            setQuery('request', String(id));
          }}
        />
      )}
    </section>
  );
}

function RequestLine({
  row,
  open,
  canAct,
  deliveries,
  late,
  onChanged,
}: {
  row: RequestRow;
  open: boolean;
  canAct: boolean;
  deliveries: readonly DeliveryView[];
  late: readonly LateDelivery[];
  onChanged: () => void;
}) {
  const { request } = row;
  const detailId = `request-${request.id}-detail`;
  const promised = row.pools.reduce((sum, pool) => sum + pool.gpus, 0);
  const delivered = row.pools.reduce((sum, pool) => sum + pool.delivered, 0);
  const isLate = row.pools.some((pool) => pool.late !== undefined);
  return (
    <Fragment>
      <tr className={open ? 'open' : undefined}>
        <th scope="row">
          <button
            type="button"
            className="disclosure"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            aria-label={`Request ${request.id}: ${open ? 'hide' : 'show'} its pipeline`}
            onClick={() => {
              setQuery('request', open ? undefined : String(request.id));
            }}
          >
            <span aria-hidden="true" className="chevron">
              {open ? '▾' : '▸'}
            </span>{' '}
            {request.id}
          </button>
        </th>
        <td>{request.accelerator}</td>
        <td className="num">{grouped(request.gpus)}</td>
        <td>{windowText(request.window)}</td>
        <td>{request.workloadClass}</td>
        <td>
          <StateBadge state={request.state} of="request" />
        </td>
        <td>
          {row.offers.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            row.offers.map((offer) => (
              <span key={offer.id} className="offer-chip">
                {offer.holder} <StateBadge state={offer.state} of="offer" />
              </span>
            ))
          )}
        </td>
        <td className="num">{row.quotes}</td>
        <td>
          {row.awards.length === 0 ? (
            <span className="muted">—</span>
          ) : (
            <>
              {row.awards.map((award, index) => (
                <Fragment key={award.id}>
                  {index > 0 && ', '}
                  <code>{award.pool}</code>
                </Fragment>
              ))}
              {request.state === 'cleared' && (
                <span className="muted"> · {grouped(request.clearedGpus)} GPUs open</span>
              )}
            </>
          )}
        </td>
        <td>
          {promised === 0 ? (
            <span className="muted">—</span>
          ) : (
            <>
              {grouped(delivered)} of {grouped(promised)}
              {isLate && (
                <>
                  {' '}
                  <span className="badge bad">late</span>
                </>
              )}
            </>
          )}
        </td>
      </tr>
      {open && (
        <tr className="detail">
          <td colSpan={REQUEST_COLUMNS.length} id={detailId}>
            <RequestPipeline
              id={request.id}
              canAct={canAct}
              deliveries={deliveries}
              late={late}
              onChanged={onChanged}
            />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

/** Opens request `id` in place, as its row's disclosure does. */
function RequestLink({ id }: { id: number }) {
  return (
    <button
      type="button"
      className="link"
      onClick={() => {
        setQuery('request', String(id));
      }}
    >
      request {id}
    </button>
  );
}

function LatePanel({ late }: { late: UseQueryResult<LateDelivery[]> }) {
  return (
    <Panel title="Late deliveries">
      {late.error ? (
        <Failure error={late.error} />
      ) : late.isPending ? (
        <div className="requests-loading short" aria-hidden="true" />
      ) : (late.data ?? []).length === 0 ? (
        <p className="muted">No procured pool is behind its promise.</p>
      ) : (
        <table>
          <TableHead
            columns={[
              'Pool',
              'Provider',
              'Site',
              'Request',
              numeric('Promised'),
              'By',
              numeric('Delivered'),
              numeric('Short'),
              numeric('Months late'),
            ]}
          />
          <tbody>
            {(late.data ?? []).map((row) => (
              <tr key={row.pool}>
                <th scope="row">
                  <code>{row.pool}</code>
                </th>
                <td>{row.provider}</td>
                <td>{row.site ?? '—'}</td>
                <td>
                  {row.request === undefined ? (
                    <span className="muted" title="a pool or building of the scenario">
                      none (node agents)
                    </span>
                  ) : (
                    <RequestLink id={row.request} />
                  )}
                </td>
                <td className="num">{grouped(row.promisedGpus)}</td>
                <td>{row.promisedBy}</td>
                <td className="num">{grouped(row.deliveredGpus)}</td>
                <td className="num">{grouped(row.shortGpus)}</td>
                <td className="num">{row.monthsLate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
