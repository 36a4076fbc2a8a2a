import { useState } from 'react';
import { grouped } from '../../core/format.js';
import { apiSend } from '../api';
import type { OfferWithRequest } from '../api-types';
import { Field, FormDialog, optionalWhole, windowText } from './offers-parts';

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
    pricePerGpuHour: form.price.trim().replace(/^\$/, ''),
    ...(gpus === undefined ? {} : { gpus }),
    ...(form.deliveryMonth === '' ? {} : { deliveryMonth: form.deliveryMonth }),
    ...(form.site.trim() === '' ? {} : { site: form.site.trim() }),
  };
}

export function AcceptDialog({
  offer,
  onClose,
  onDone,
}: {
  offer: OfferWithRequest;
  onClose: () => void;
  onDone: () => void;
}) {
  const [price, setPrice] = useState('');
  const [gpus, setGpus] = useState('');
  const [deliveryMonth, setDeliveryMonth] = useState('');
  const [site, setSite] = useState('');
  const span = offer.requested.window;
  return (
    <FormDialog
      title={`Accept offer ${offer.id}`}
      submitLabel="Accept offer"
      onClose={onClose}
      onSubmit={async () => {
        await apiSend(
          'POST',
          `/v1/offers/${offer.id}/accept`,
          acceptBody({ price, gpus, deliveryMonth, site }),
        );
        onDone();
      }}
    >
      <p className="muted">
        {grouped(offer.gpus)} {offer.requested.accelerator} GPUs, {windowText(span)}. What you take
        becomes a pool of {offer.holder}&apos;s.
      </p>
      <Field label="Price per GPU-hour (USD)" hint="For example 2.35; at most six decimals.">
        {(props) => (
          <input
            {...props}
            name="price"
            inputMode="decimal"
            autoComplete="off"
            required
            autoFocus
            value={price}
            onChange={(event) => {
              setPrice(event.target.value);
            }}
          />
        )}
      </Field>
      <Field
        label="GPUs"
        hint={`Optional: part of the offer. Leave empty to take all ${grouped(offer.gpus)}.`}
      >
        {(props) => (
          <input
            {...props}
            name="gpus"
            inputMode="numeric"
            autoComplete="off"
            placeholder={grouped(offer.gpus)}
            value={gpus}
            onChange={(event) => {
              setGpus(event.target.value);
            }}
          />
        )}
      </Field>
      <Field
        label="Delivery month"
        hint={`Optional: in ${windowText(span)}; default ${span.from}, the first month.`}
      >
        {(props) => (
          <input
            {...props}
            name="deliveryMonth"
            type="month"
            min={span.from}
            max={span.to}
            value={deliveryMonth}
            onChange={(event) => {
              setDeliveryMonth(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Site" hint={`Optional: the id of one of ${offer.holder}'s sites.`}>
        {(props) => (
          <input
            {...props}
            name="site"
            autoComplete="off"
            spellCheck={false}
            value={site}
            onChange={(event) => {
              setSite(event.target.value);
            }}
          />
        )}
      </Field>
    </FormDialog>
  );
}

export function DeclineDialog({
  offer,
  onClose,
  onDone,
}: {
  offer: OfferWithRequest;
  onClose: () => void;
  onDone: () => void;
}) {
  const [note, setNote] = useState('');
  return (
    <FormDialog
      title={`Decline offer ${offer.id}`}
      submitLabel="Decline offer"
      tone="danger"
      onClose={onClose}
      onSubmit={async () => {
        await apiSend(
          'POST',
          `/v1/offers/${offer.id}/decline`,
          note.trim() === '' ? {} : { note: note.trim() },
        );
        onDone();
      }}
    >
      <p className="muted">
        {grouped(offer.gpus)} {offer.requested.accelerator} GPUs,{' '}
        {windowText(offer.requested.window)}. Declining lets the lab buy this capacity from other
        providers; it cannot be undone.
      </p>
      <Field label="Note" hint="Optional: why, for the lab's records.">
        {(props) => (
          <textarea
            {...props}
            name="note"
            rows={3}
            maxLength={2000}
            value={note}
            onChange={(event) => {
              setNote(event.target.value);
            }}
          />
        )}
      </Field>
    </FormDialog>
  );
}
