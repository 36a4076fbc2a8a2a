import { useState } from 'react';
import { grouped } from '../../core/format.js';
import type { DeliveryView, LateDelivery, QuoteView } from '../api-types';
import { Failure } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useApi } from '../queries';
import { AwardDialog, DeliveryDialog, QuoteDialog } from './offers-actions';
import type { ProcuredPool, RequestDetail } from './offers-data';
import { awardRefusal, procuredPools } from './offers-data';
import { Countdown, StateBadge, priceText, windowText } from './offers-parts';
import { utcText } from './offers-time';

const QUOTE_COLUMNS = [
  'Quote',
  'Provider',
  'Site',
  numeric('GPUs'),
  numeric('Price per GPU-hour'),
  'Delivery',
  'Recorded',
];
const POOL_COLUMNS = ['Pool', 'From', numeric('Promised'), 'By', numeric('Delivered'), 'Status'];

/** The header of a column of buttons, named for screen readers only. */
function ActionHead() {
  return (
    <th scope="col">
      <span className="visually-hidden">Action</span>
    </th>
  );
}

/**
 * A planner's action on a step, small beside what it acts on; `label` names it where its text
 * alone would be the same on every row.
 */
function StepAction({
  text,
  label,
  onClick,
}: {
  text: string;
  label?: string;
  onClick: () => void;
}) {
  return (
    <button type="button" className="quiet small" aria-label={label} onClick={onClick}>
      {text}
    </button>
  );
}

/**
 * One request read as its pipeline: what was asked, the offers under the right of first
 * refusal, the quotes, the award and the deliveries against what was promised; then its whole
 * history. A planner acts where the request's state lets the API accept it.
 */
export function RequestPipeline({
  id,
  canAct,
  deliveries,
  late,
  onChanged,
}: {
  id: number;
  canAct: boolean;
  deliveries: readonly DeliveryView[];
  late: readonly LateDelivery[];
  onChanged: () => void;
}) {
  const detail = useApi<RequestDetail>('procurement', `/v1/requests/${id}`);
  const [dialog, setDialog] = useState<
    | { kind: 'quote' }
    | { kind: 'award'; quote: QuoteView }
    | { kind: 'delivery'; pool: ProcuredPool }
  >();
  if (detail.error) return <Failure error={detail.error} />;
  const request = detail.data;
  if (!request) return <div className="pipeline-loading" aria-busy="true" />;
  const close = () => {
    setDialog(undefined);
  };
  const pools = procuredPools(request.offers, request.quotes, request.awards, deliveries, late);
  const cleared = request.state === 'cleared';
  const refusal = (quote: QuoteView) =>
    awardRefusal(quote, request, request.quotes, request.awards);
  return (
    <div className="pipeline">
      <ol className="pipeline-steps">
        <li>
          <h3>Request</h3>
          <p>
            {grouped(request.gpus)} {request.accelerator} GPUs, {windowText(request.window)}, for{' '}
            {request.workloadClass}: {request.reason}
          </p>
          <p className="muted">
            By {request.createdBy}, {utcText(request.createdAt)}
            {request.plan === undefined ? '' : ` · from plan ${request.plan}`}
            {request.workload === undefined ? '' : ` · workload ${request.workload}`}
          </p>
        </li>
        <li>
          <h3>Right of first refusal</h3>
          {request.offers.length === 0 ? (
            <p className="muted">No rofr term binds this capacity: it was cleared at once.</p>
          ) : (
            <table>
              <TableHead
                columns={[
                  'Offer',
                  'Holder',
                  'Term',
                  numeric('GPUs'),
                  'State',
                  'Deadline',
                  'Answer',
                ]}
              />
              <tbody>
                {request.offers.map((offer) => (
                  <tr key={offer.id}>
                    <th scope="row">{offer.id}</th>
                    <td>{offer.holder}</td>
                    <td>
                      <code>{offer.term}</code> of <code>{offer.contract}</code>
                    </td>
                    <td className="num">{grouped(offer.gpus)}</td>
                    <td>
                      <StateBadge state={offer.state} of="offer" />
                    </td>
                    <td>
                      {utcText(offer.deadline)}
                      {offer.state === 'pending' && (
                        <>
                          {' '}
                          <Countdown
                            createdAt={offer.createdAt}
                            deadline={offer.deadline}
                            onLapse={onChanged}
                            bar={false}
                          />
                        </>
                      )}
                    </td>
                    <td>
                      {offer.respondedAt ? utcText(offer.respondedAt) : '—'}
                      {offer.acceptedGpus !== undefined && offer.acceptedGpus > 0 && (
                        <>
                          : took {grouped(offer.acceptedGpus)}
                          {offer.pricePerGpuHour && ` at ${priceText(offer.pricePerGpuHour)}`}
                        </>
                      )}
                      {offer.note && <span className="muted"> — “{offer.note}”</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </li>
        <li>
          <h3>
            Quotes
            {canAct && cleared && (
              <StepAction
                text="Record quote"
                onClick={() => {
                  setDialog({ kind: 'quote' });
                }}
              />
            )}
          </h3>
          {request.quotes.length === 0 ? (
            <p className="muted">
              {request.state === 'offered'
                ? 'Quotes wait until the holder has answered or its deadline has passed.'
                : cleared
                  ? `No quote yet for the ${grouped(request.clearedGpus)} GPUs open.`
                  : 'None.'}
            </p>
          ) : (
            <table>
              <TableHead columns={QUOTE_COLUMNS}>{canAct && cleared && <ActionHead />}</TableHead>
              <tbody>
                {request.quotes.map((quote) => (
                  <tr key={quote.id}>
                    <th scope="row">{quote.id}</th>
                    <td>{quote.provider}</td>
                    <td>{quote.site ?? '—'}</td>
                    <td className="num">{grouped(quote.gpus)}</td>
                    <td className="num">{priceText(quote.pricePerGpuHour)}</td>
                    <td>{quote.deliveryMonth}</td>
                    <td>{utcText(quote.createdAt)}</td>
                    {canAct && cleared && (
                      <td>
                        {refusal(quote) === undefined ? (
                          <StepAction
                            text="Award"
                            label={`Award quote ${quote.id}`}
                            onClick={() => {
                              setDialog({ kind: 'award', quote });
                            }}
                          />
                        ) : (
                          <span className="muted">{refusal(quote)}</span>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </li>
        <li>
          <h3>{request.awards.length > 1 ? 'Awards' : 'Award'}</h3>
          {request.awards.map((award) => (
            <p key={award.id}>
              Quote {award.quote} awarded: pool <code>{award.pool}</code>, by {award.createdBy},{' '}
              {utcText(award.createdAt)}
            </p>
          ))}
          {request.awards.length === 0 ? (
            <p className="muted">
              {request.state === 'fulfilled'
                ? 'None needed: the holder took all of it.'
                : 'Not awarded.'}
            </p>
          ) : (
            cleared && (
              <p>
                <strong>{grouped(request.clearedGpus)} GPUs still open</strong> to quotes and
                awards.
              </p>
            )
          )}
        </li>
        <li>
          <h3>Deliveries</h3>
          {pools.length === 0 ? (
            <p className="muted">No pool procured yet.</p>
          ) : (
            <table>
              <TableHead columns={POOL_COLUMNS}>{canAct && <ActionHead />}</TableHead>
              <tbody>
                {pools.map((pool) => (
                  <tr key={pool.pool}>
                    <th scope="row">
                      <code>{pool.pool}</code>
                    </th>
                    <td>
                      {pool.provider} ({pool.source})
                    </td>
                    <td className="num">{grouped(pool.gpus)}</td>
                    <td>{pool.deliveryMonth}</td>
                    <td className="num">{grouped(pool.delivered)}</td>
                    <td>
                      {pool.delivered >= pool.gpus ? (
                        <span className="badge good">delivered</span>
                      ) : pool.late ? (
                        <span className="badge bad">
                          late {pool.late.monthsLate} mo, {grouped(pool.late.shortGpus)} short
                        </span>
                      ) : (
                        <span className="badge">due {pool.deliveryMonth}</span>
                      )}
                    </td>
                    {canAct && (
                      <td>
                        {pool.delivered < pool.gpus && (
                          <StepAction
                            text="Record delivery"
                            label={`Record a delivery to pool ${pool.pool}`}
                            onClick={() => {
                              setDialog({ kind: 'delivery', pool });
                            }}
                          />
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </li>
      </ol>
      <details className="history">
        <summary>History ({request.history.length} events)</summary>
        <ol>
          {request.history.map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <span className="num">{utcText(event.at)}</span> <code>{event.action}</code>{' '}
              <span className="muted">by {event.actor}</span>
            </li>
          ))}
        </ol>
      </details>
      {dialog?.kind === 'quote' && (
        <QuoteDialog request={request} offers={request.offers} onClose={close} onDone={onChanged} />
      )}
      {dialog?.kind === 'award' && (
        <AwardDialog request={request} quote={dialog.quote} onClose={close} onDone={onChanged} />
      )}
      {dialog?.kind === 'delivery' && (
        <DeliveryDialog pool={dialog.pool} onClose={close} onDone={onChanged} />
      )}
    </div>
  );
}
