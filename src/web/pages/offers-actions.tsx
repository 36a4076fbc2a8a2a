import { grouped } from '../../core/format.js';
import { apiSend } from '../api';
import type { NewRequest, OfferView, QuoteView, ScenarioDocument } from '../api-types';
import type { ActionDialogProps } from '../components/form-dialog';
import { FormDialog } from '../components/form-dialog';
import {
  DecimalField,
  MonthField,
  SelectField,
  TextAreaField,
  TextField,
  WholeField,
  useFields,
} from '../components/form-fields';
import { useApi } from '../queries';
import type { LabRequest, ProcuredPool } from './offers-data';
import { quotingProviders } from './offers-data';
import { optionalWhole, priceText, typedPrice, windowText } from './offers-parts';

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
  const { values, bind } = useFields({
    accelerator: '',
    gpus: '',
    from: '',
    to: '',
    workloadClass: '',
    reason: '',
  });
  const chosen = values.accelerator || accelerators.data?.[0]?.id || '';
  return (
    <FormDialog
      title="Request capacity"
      submitLabel="Request capacity"
      onClose={onClose}
      submit={() => {
        const body: NewRequest = {
          accelerator: chosen,
          gpus: optionalWhole(values.gpus) ?? 0,
          window: { from: values.from, to: values.to },
          workloadClass: values.workloadClass.trim(),
          reason: values.reason.trim(),
        };
        return apiSend<{ id: number }>('POST', '/v1/requests', body);
      }}
      onDone={(created) => {
        onCreated(created.id);
      }}
    >
      <p className="muted">
        Where a right of first refusal binds the capacity, the request becomes an offer to its
        holder; otherwise it is cleared for quotes at once.
      </p>
      <SelectField
        label="Accelerator"
        {...bind('accelerator')}
        value={chosen}
        options={(accelerators.data ?? []).map((item) => ({
          value: item.id,
          label: item.name ? `${item.id} — ${item.name}` : item.id,
        }))}
      />
      <WholeField label="GPUs" {...bind('gpus')} required />
      <div className="form-pair">
        <MonthField label="From" {...bind('from')} required />
        <MonthField label="To" {...bind('to')} required min={values.from || undefined} />
      </div>
      <TextField
        label="Workload class"
        hint={classes.length > 0 ? `e.g. ${classes.join(', ')}` : undefined}
        {...bind('workloadClass')}
        suggestions={classes}
        autoComplete="off"
        required
      />
      <TextAreaField label="Reason" {...bind('reason')} rows={2} required />
    </FormDialog>
  );
}

export function QuoteDialog({
  request,
  offers,
  ...actions
}: {
  request: LabRequest;
  offers: readonly OfferView[];
} & ActionDialogProps) {
  const providers = useApi<Provider[]>('scenario', '/v1/providers');
  const sites = useApi<Site[]>('scenario', '/v1/sites');
  const eligible = quotingProviders(providers.data ?? [], offers);
  const { values, set, bind } = useFields({
    provider: '',
    site: '',
    gpus: String(request.clearedGpus),
    price: '',
    deliveryMonth: request.window.from,
  });
  const chosen = values.provider || eligible[0] || '';
  const itsSites = (sites.data ?? []).filter((candidate) => candidate.provider === chosen);
  return (
    <FormDialog
      {...actions}
      title={`Record a quote for request ${request.id}`}
      submitLabel="Record quote"
      submit={() =>
        apiSend('POST', '/v1/quotes', {
          request: request.id,
          provider: chosen,
          ...(values.site === '' ? {} : { site: values.site }),
          gpus: optionalWhole(values.gpus) ?? 0,
          pricePerGpuHour: typedPrice(values.price),
          deliveryMonth: values.deliveryMonth,
        })
      }
    >
      <p className="muted">
        {grouped(request.clearedGpus)} {request.accelerator} GPUs are open,{' '}
        {windowText(request.window)}.
      </p>
      <SelectField
        label="Provider"
        {...bind('provider')}
        value={chosen}
        // A site belongs to one provider: another provider starts with none named.
        onValue={(provider) => {
          set({ provider, site: '' });
        }}
        options={eligible.map((id) => ({ value: id, label: id }))}
      />
      <SelectField
        label="Site"
        hint="Optional: where the capacity will stand."
        {...bind('site')}
        options={[
          { value: '', label: 'not named' },
          ...itsSites.map((candidate) => ({ value: candidate.id, label: candidate.id })),
        ]}
      />
      <WholeField
        label="GPUs"
        hint={`At most the ${grouped(request.clearedGpus)} open.`}
        {...bind('gpus')}
        required
      />
      <DecimalField label="Price per GPU-hour (USD)" {...bind('price')} required />
      <MonthField
        label="Delivery month"
        hint={`In ${windowText(request.window)}.`}
        {...bind('deliveryMonth')}
        required
        min={request.window.from}
        max={request.window.to}
      />
    </FormDialog>
  );
}

export function AwardDialog({
  request,
  quote,
  ...actions
}: {
  request: LabRequest;
  quote: QuoteView;
} & ActionDialogProps) {
  return (
    <FormDialog
      {...actions}
      title={`Award request ${request.id}`}
      submitLabel="Award quote"
      submit={() => apiSend('POST', '/v1/awards', { quote: quote.id })}
    >
      <p>
        Quote {quote.id} from <strong>{quote.provider}</strong>
        {quote.site ? ` at ${quote.site}` : ''}: {grouped(quote.gpus)} {request.accelerator} GPUs at{' '}
        {priceText(quote.pricePerGpuHour)} per GPU-hour, delivered from {quote.deliveryMonth}.
      </p>
      <p className="muted">
        The award makes a new pool of {quote.provider}, cleared of the right of first refusal,
        {quote.gpus < request.clearedGpus
          ? ` and leaves the other ${grouped(request.clearedGpus - quote.gpus)} GPUs of the request open to quotes.`
          : ' and closes the request.'}
      </p>
    </FormDialog>
  );
}

export function DeliveryDialog({ pool, ...actions }: { pool: ProcuredPool } & ActionDialogProps) {
  const { values, bind } = useFields(() => ({ month: thisMonth(), gpus: '' }));
  const left = pool.gpus - pool.delivered;
  return (
    <FormDialog
      {...actions}
      title={`Record a delivery to pool ${pool.pool}`}
      submitLabel="Record delivery"
      submit={() =>
        apiSend('POST', '/v1/deliveries', {
          pool: pool.pool,
          month: values.month,
          gpus: optionalWhole(values.gpus) ?? 0,
        })
      }
    >
      <p className="muted">
        {grouped(pool.delivered)} of {grouped(pool.gpus)} GPUs promised from {pool.deliveryMonth}{' '}
        are delivered.
      </p>
      <MonthField
        label="Month"
        hint="The month the GPUs arrived; no later than this one."
        {...bind('month')}
        required
        max={thisMonth()}
      />
      <WholeField
        label="GPUs"
        hint={`At most ${grouped(Math.max(0, left))} more.`}
        {...bind('gpus')}
        required
      />
    </FormDialog>
  );
}
