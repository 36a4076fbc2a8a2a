import { grouped } from '../../core/format.js';
import { apiSend } from '../api';
import type { OfferWithRequest } from '../api-types';
import type { ActionDialogProps } from '../components/form-dialog';
import { FormDialog } from '../components/form-dialog';
import {
  DecimalField,
  MonthField,
  TextAreaField,
  TextField,
  WholeField,
  useFields,
} from '../components/form-fields';
import { optionalWhole, typedPrice, windowText } from './offers-parts';

/**
 * A holder's answers to an offer: accept all or part at a price (a new pool of the holder), or
 * decline with a note (the request is cleared for other providers). The server decides; what it
 * refuses is shown in its words and the dialog keeps what was typed.
 */

/** `POST /v1/offers/{id}/accept`'s body from the form's text. */
export function acceptBody(form: {
  price: string;
  gpus: string;
  deliveryMonth: string;
  site: string;
}): Record<string, unknown> {
  const gpus = optionalWhole(form.gpus);
  return {
    pricePerGpuHour: typedPrice(form.price),
    ...(gpus === undefined ? {} : { gpus }),
    ...(form.deliveryMonth === '' ? {} : { deliveryMonth: form.deliveryMonth }),
    ...(form.site.trim() === '' ? {} : { site: form.site.trim() }),
  };
}

export function AcceptDialog({
  offer,
  ...actions
}: { offer: OfferWithRequest } & ActionDialogProps) {
  const { values, bind } = useFields({ price: '', gpus: '', deliveryMonth: '', site: '' });
  const span = offer.requested.window;
  return (
    <FormDialog
      {...actions}
      title={`Accept offer ${offer.id}`}
      submitLabel="Accept offer"
      submit={() => apiSend('POST', `/v1/offers/${offer.id}/accept`, acceptBody(values))}
    >
      <p className="muted">
        {grouped(offer.gpus)} {offer.requested.accelerator} GPUs, {windowText(span)}. What you take
        becomes a pool of {offer.holder}&apos;s.
      </p>
      <DecimalField
        label="Price per GPU-hour (USD)"
        hint="For example 2.35; at most six decimals."
        {...bind('price')}
        required
        autoFocus
      />
      <WholeField
        label="GPUs"
        hint={`Optional: part of the offer. Leave empty to take all ${grouped(offer.gpus)}.`}
        {...bind('gpus')}
        placeholder={grouped(offer.gpus)}
      />
      <MonthField
        label="Delivery month"
        hint={`Optional: in ${windowText(span)}; default ${span.from}, the first month.`}
        {...bind('deliveryMonth')}
        min={span.from}
        max={span.to}
      />
      <TextField
        label="Site"
        hint={`Optional: the id of one of ${offer.holder}'s sites.`}
        {...bind('site')}
        autoComplete="off"
        spellCheck={false}
      />
    </FormDialog>
  );
}

export function DeclineDialog({
  offer,
  ...actions
}: { offer: OfferWithRequest } & ActionDialogProps) {
  const { values, bind } = useFields({ note: '' });
  const note = values.note.trim();
  return (
    <FormDialog
      {...actions}
      title={`Decline offer ${offer.id}`}
      submitLabel="Decline offer"
      tone="danger"
      submit={() => apiSend('POST', `/v1/offers/${offer.id}/decline`, note === '' ? {} : { note })}
    >
      <p className="muted">
        {grouped(offer.gpus)} {offer.requested.accelerator} GPUs,{' '}
        {windowText(offer.requested.window)}. Declining lets the lab buy this capacity from other
        providers; it cannot be undone.
      </p>
      <TextAreaField
        label="Note"
        hint="Optional: why, for the lab's records."
        {...bind('note')}
        rows={3}
        maxLength={2000}
      />
    </FormDialog>
  );
}
