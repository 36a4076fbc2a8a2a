import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useState } from 'react';
import { grouped } from '../../core/format.js';
import type { OfferWithRequest } from '../api-types';
import { Failure } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useApi } from '../queries';
import { AcceptDialog, DeclineDialog } from './offers-answer';
import { Countdown, StateBadge, priceText, windowText } from './offers-parts';
import { utcText } from './offers-time';

/**
 * The holder's inbox: the offers its right of first refusal gives it (the server sends no
 * other), pending first with the time left to answer, then those answered. It reads
 * `/v1/offers` only: nothing else of the lab is asked for.
 */
export function HolderOffers({ provider }: { provider: string | undefined }) {
  const offers = useApi<OfferWithRequest[]>('procurement', '/v1/offers');
  const queries = useQueryClient();
  const refresh = useCallback(() => {
    void queries.invalidateQueries({ queryKey: ['procurement'] });
  }, [queries]);
  const all = offers.data ?? [];
  const pending = all
    .filter((offer) => offer.state === 'pending')
    .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.id - b.id);
  const answered = all.filter((offer) => offer.state !== 'pending').sort((a, b) => b.id - a.id);
  return (
    <section className="page offers" aria-busy={offers.isPending}>
      <header className="page-header">
        <h1>Offers</h1>
        <p className="muted">
          Capacity offered to {provider ?? 'you'} under its right of first refusal. Answer before
          the deadline: after it the offer lapses and the lab may buy elsewhere.
        </p>
      </header>
      {offers.error && <Failure error={offers.error} />}
      <section aria-labelledby="pending-title" className="offers-pending">
        <h2 id="pending-title">
          Waiting for your answer{' '}
          <span className="muted">({offers.isPending ? '…' : pending.length})</span>
        </h2>
        {offers.isPending ? (
          <div className="offer-card placeholder" aria-hidden="true" />
        ) : pending.length === 0 ? (
          <p className="muted">No offer waits for an answer.</p>
        ) : (
          <ul className="offer-cards">
            {pending.map((offer) => (
              <li key={offer.id}>
                <OfferCard offer={offer} onAnswered={refresh} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {answered.length > 0 && <Answered offers={answered} />}
    </section>
  );
}

function OfferCard({ offer, onAnswered }: { offer: OfferWithRequest; onAnswered: () => void }) {
  const titleId = useId();
  const [open, setOpen] = useState<'accept' | 'decline' | undefined>(undefined);
  const [lapsed, setLapsed] = useState(() => Date.parse(offer.deadline) <= Date.now());
  const onLapse = useCallback(() => {
    setLapsed(true);
    // The server lapses it on the next read; the page then shows it answered.
    onAnswered();
  }, [onAnswered]);
  const close = useCallback(() => {
    setOpen(undefined);
  }, []);
  return (
    <article className="offer-card panel" aria-labelledby={titleId}>
      <header>
        <h3 id={titleId}>
          Offer {offer.id} <span className="muted">· request {offer.request}</span>
        </h3>
        <StateBadge state={lapsed ? 'lapsed' : offer.state} of="offer" />
      </header>
      <p className="offer-what">
        <strong>{grouped(offer.gpus)}</strong> {offer.requested.accelerator} GPUs,{' '}
        <span className="nowrap">{windowText(offer.requested.window)}</span>
      </p>
      <dl className="offer-facts">
        <dt>Under</dt>
        <dd>
          term <code>{offer.term}</code> of <code>{offer.contract}</code>
        </dd>
        <dt>Offered</dt>
        <dd>{utcText(offer.createdAt)}</dd>
        <dt>Answer by</dt>
        <dd>{utcText(offer.deadline)}</dd>
      </dl>
      <Countdown createdAt={offer.createdAt} deadline={offer.deadline} onLapse={onLapse} />
      <div className="offer-actions">
        <button
          type="button"
          aria-describedby={titleId}
          disabled={lapsed}
          onClick={() => {
            setOpen('accept');
          }}
        >
          Accept
        </button>
        <button
          type="button"
          className="danger"
          aria-describedby={titleId}
          disabled={lapsed}
          onClick={() => {
            setOpen('decline');
          }}
        >
          Decline
        </button>
      </div>
      {open === 'accept' && <AcceptDialog offer={offer} onClose={close} onDone={onAnswered} />}
      {open === 'decline' && <DeclineDialog offer={offer} onClose={close} onDone={onAnswered} />}
    </article>
  );
}

function Answered({ offers }: { offers: readonly OfferWithRequest[] }) {
  return (
    <section aria-labelledby="answered-title" className="panel">
      <h2 id="answered-title">Answered</h2>
      <table>
        <TableHead
          columns={[
            'Offer',
            'Capacity',
            'Window',
            'State',
            'Answered',
            numeric('GPUs taken'),
            numeric('Price per GPU-hour'),
            'Delivery',
            'Note',
          ]}
        />
        <tbody>
          {offers.map((offer) => (
            <tr key={offer.id}>
              <th scope="row">{offer.id}</th>
              <td className="nowrap">
                {grouped(offer.gpus)} {offer.requested.accelerator}
              </td>
              <td className="nowrap">{windowText(offer.requested.window)}</td>
              <td>
                <StateBadge state={offer.state} of="offer" />
              </td>
              <td className="nowrap">{offer.respondedAt ? utcText(offer.respondedAt) : '—'}</td>
              <td className="num">
                {offer.acceptedGpus === undefined ? '—' : grouped(offer.acceptedGpus)}
              </td>
              <td className="num">
                {offer.pricePerGpuHour === undefined ? '—' : priceText(offer.pricePerGpuHour)}
              </td>
              <td>
                {offer.deliveryMonth ?? '—'}
                {offer.pool && <span className="muted"> · pool {offer.pool}</span>}
              </td>
              <td>{offer.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
