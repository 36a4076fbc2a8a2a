import { useState } from 'react';
import { grouped } from '../../core/format.js';
import { apiSend } from '../api';
import type { NewRequest, OfferView, QuoteView, ScenarioDocument } from '../api-types';
import { useApi } from '../queries';
import type { LabRequest, ProcuredPool } from './offers-data';
import { quotingProviders } from './offers-data';
import { Field, FormDialog, optionalWhole, priceText, windowText } from './offers-parts';

/**
 * What a planner does on /offers, each in a dialog the API answers: request capacity, record a
 * provider's quote for a cleared request, award it, record a delivery against a procured pool.
 * The lists the forms offer (accelerators, providers, sites, classes) are read only when a
 * dialog opens.
 */

type Accelerator = ScenarioDocument['accelerators'][number];
type Provider = ScenarioDocument['providers'][number];
type Site = NonNullable<ScenarioDocument['sites']>[number];
type Workload = ScenarioDocument['workloads'][number];

/** The month of today, as the API's periods are written. */
const thisMonth = () => new Date().toISOString().slice(0, 7);

export function NewRequestDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (id: number) => void;
}) {
  const accelerators = useApi<Accelerator[]>('scenario', '/v1/accelerators');
  const workloads = useApi<Workload[]>('scenario', '/v1/workloads');
  const classes = [...new Set((workloads.data ?? []).map((workload) => workload.class))].sort();
  const [accelerator, setAccelerator] = useState('');
  const [gpus, setGpus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [workloadClass, setWorkloadClass] = useState('');
  const [reason, setReason] = useState('');
  const chosen = accelerator || accelerators.data?.[0]?.id || '';
  return (
    <FormDialog
      title="Request capacity"
      submitLabel="Request capacity"
      onClose={onClose}
      onSubmit={async () => {
        const body: NewRequest = {
          accelerator: chosen,
          gpus: optionalWhole(gpus) ?? 0,
          window: { from, to },
          workloadClass: workloadClass.trim(),
          reason: reason.trim(),
        };
        const created = await apiSend<{ id: number }>('POST', '/v1/requests', body);
        onCreated(created.id);
      }}
    >
      <p className="muted">
        Where a right of first refusal binds the capacity, the request becomes an offer to its
        holder; otherwise it is cleared for quotes at once.
      </p>
      <Field label="Accelerator">
        {(props) => (
          <select
            {...props}
            name="accelerator"
            value={chosen}
            onChange={(event) => {
              setAccelerator(event.target.value);
            }}
          >
            {(accelerators.data ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.name ? `${item.id} — ${item.name}` : item.id}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="GPUs">
        {(props) => (
          <input
            {...props}
            name="gpus"
            inputMode="numeric"
            autoComplete="off"
            required
            value={gpus}
            onChange={(event) => {
              setGpus(event.target.value);
            }}
          />
        )}
      </Field>
      <div className="form-pair">
        <Field label="From">
          {(props) => (
            <input
              {...props}
              name="from"
              type="month"
              required
              value={from}
              onChange={(event) => {
                setFrom(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="To">
          {(props) => (
            <input
              {...props}
              name="to"
              type="month"
              required
              min={from || undefined}
              value={to}
              onChange={(event) => {
                setTo(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <Field
        label="Workload class"
        hint={classes.length > 0 ? `e.g. ${classes.join(', ')}` : undefined}
      >
        {(props) => (
          <>
            <input
              {...props}
              name="workloadClass"
              list="offers-classes"
              autoComplete="off"
              required
              value={workloadClass}
              onChange={(event) => {
                setWorkloadClass(event.target.value);
              }}
            />
            <datalist id="offers-classes">
              {classes.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field label="Reason">
        {(props) => (
          <textarea
            {...props}
            name="reason"
            rows={2}
            required
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
            }}
          />
        )}
      </Field>
    </FormDialog>
  );
}

export function QuoteDialog({
  request,
  offers,
  onClose,
  onDone,
}: {
  request: LabRequest;
  offers: readonly OfferView[];
  onClose: () => void;
  onDone: () => void;
}) {
  const providers = useApi<Provider[]>('scenario', '/v1/providers');
  const sites = useApi<Site[]>('scenario', '/v1/sites');
  const eligible = quotingProviders(providers.data ?? [], offers);
  const [provider, setProvider] = useState('');
  const [site, setSite] = useState('');
  const [gpus, setGpus] = useState(String(request.clearedGpus));
  const [price, setPrice] = useState('');
  const [deliveryMonth, setDeliveryMonth] = useState(request.window.from);
  const chosen = provider || eligible[0] || '';
  const itsSites = (sites.data ?? []).filter((candidate) => candidate.provider === chosen);
  return (
    <FormDialog
      title={`Record a quote for request ${request.id}`}
      submitLabel="Record quote"
      onClose={onClose}
      onSubmit={async () => {
        await apiSend('POST', '/v1/quotes', {
          request: request.id,
          provider: chosen,
          ...(site === '' ? {} : { site }),
          gpus: optionalWhole(gpus) ?? 0,
          pricePerGpuHour: price.trim().replace(/^\$/, ''),
          deliveryMonth,
        });
        onDone();
      }}
    >
      <p className="muted">
        {grouped(request.clearedGpus)} {request.accelerator} GPUs are open,{' '}
        {windowText(request.window)}.
      </p>
      <Field label="Provider">
        {(props) => (
          <select
            {...props}
            name="provider"
            value={chosen}
            onChange={(event) => {
              setProvider(event.target.value);
              setSite('');
            }}
          >
            {eligible.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Site" hint="Optional: where the capacity will stand.">
        {(props) => (
          <select
            {...props}
            name="site"
            value={site}
            onChange={(event) => {
              setSite(event.target.value);
            }}
          >
            <option value="">not named</option>
            {itsSites.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.id}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="GPUs" hint={`At most the ${grouped(request.clearedGpus)} open.`}>
        {(props) => (
          <input
            {...props}
            name="gpus"
            inputMode="numeric"
            autoComplete="off"
            required
            value={gpus}
            onChange={(event) => {
              setGpus(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Price per GPU-hour (USD)">
        {(props) => (
          <input
            {...props}
            name="price"
            inputMode="decimal"
            autoComplete="off"
            required
            value={price}
            onChange={(event) => {
              setPrice(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Delivery month" hint={`In ${windowText(request.window)}.`}>
        {(props) => (
          <input
            {...props}
            name="deliveryMonth"
            type="month"
            required
            min={request.window.from}
            max={request.window.to}
            value={deliveryMonth}
            onChange={(event) => {
              setDeliveryMonth(event.target.value);
            }}
          />
        )}
      </Field>
    </FormDialog>
  );
}

export function AwardDialog({
  request,
  quote,
  onClose,
  onDone,
}: {
  request: LabRequest;
  quote: QuoteView;
  onClose: () => void;
  onDone: () => void;
}) {
  return (
    <FormDialog
      title={`Award request ${request.id}`}
      submitLabel="Award quote"
      onClose={onClose}
      onSubmit={async () => {
        await apiSend('POST', '/v1/awards', { quote: quote.id });
        onDone();
      }}
    >
      <p>
        Quote {quote.id} from <strong>{quote.provider}</strong>
        {quote.site ? ` at ${quote.site}` : ''}: {grouped(quote.gpus)} {request.accelerator} GPUs at{' '}
        {priceText(quote.pricePerGpuHour)} per GPU-hour, delivered from {quote.deliveryMonth}.
      </p>
      <p className="muted">
        The award makes a new pool of {quote.provider}, cleared of the right of first refusal, and
        closes the request.
      </p>
    </FormDialog>
  );
}

export function DeliveryDialog({
  pool,
  onClose,
  onDone,
}: {
  pool: ProcuredPool;
  onClose: () => void;
  onDone: () => void;
}) {
  const [month, setMonth] = useState(thisMonth);
  const [gpus, setGpus] = useState('');
  const left = pool.gpus - pool.delivered;
  return (
    <FormDialog
      title={`Record a delivery to pool ${pool.pool}`}
      submitLabel="Record delivery"
      onClose={onClose}
      onSubmit={async () => {
        await apiSend('POST', '/v1/deliveries', {
          pool: pool.pool,
          month,
          gpus: optionalWhole(gpus) ?? 0,
        });
        onDone();
      }}
    >
      <p className="muted">
        {grouped(pool.delivered)} of {grouped(pool.gpus)} GPUs promised from {pool.deliveryMonth}{' '}
        are delivered.
      </p>
      <Field label="Month" hint="The month the GPUs arrived; no later than this one.">
        {(props) => (
          <input
            {...props}
            name="month"
            type="month"
            required
            max={thisMonth()}
            value={month}
            onChange={(event) => {
              setMonth(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="GPUs" hint={`At most ${grouped(Math.max(0, left))} more.`}>
        {(props) => (
          <input
            {...props}
            name="gpus"
            inputMode="numeric"
            autoComplete="off"
            required
            value={gpus}
            onChange={(event) => {
              setGpus(event.target.value);
            }}
          />
        )}
      </Field>
    </FormDialog>
  );
}
