import type { FlagValue } from '../args.js';
import { oneOf, positiveNumber } from '../args.js';
import { UsageError } from '../errors.js';
import type { Verb } from '../client/verbs.js';
import {
  count,
  groupUsage,
  idArgument,
  optional,
  repeated,
  required,
  verbCommand,
} from '../client/verbs.js';
import {
  awardsTable,
  deliveriesTable,
  lateTable,
  offerText,
  offeredGpus,
  offersTable,
  quotesTable,
  requestDetailText,
  requestsTable,
} from '../client/procurement-text.js';
import { planDiffText, planSummaryText, plansTable } from '../client/plan-text.js';
import { inventoryText, nodeText, nodesTable } from '../client/fleet-text.js';
import { grouped, price, when } from '../client/format.js';
import type {
  AwardView,
  DeliveryView,
  Inventory,
  LateDelivery,
  NodeDetail,
  NodeView,
  OfferView,
  PlanDiff,
  PlanDocument,
  PlanSummary,
  QuoteView,
  RequestDetail,
  RequestView,
} from '../client/types.js';

/**
 * The API from the command line: `stargate requests|offers|quotes|awards|deliveries|plans VERB`.
 * Text for people by default, `--json` (the API's own JSON) for scripts. Every POST carries an
 * Idempotency-Key.
 */

const REQUEST_STATES = ['offered', 'cleared', 'awarded', 'fulfilled'] as const;
const OFFER_STATES = ['pending', 'accepted', 'declined', 'lapsed'] as const;
const SOLVERS = ['auto', 'exact', 'fast'] as const;

function state<T extends string>(
  values: Readonly<Record<string, FlagValue>>,
  states: readonly [T, ...T[]],
): T | undefined {
  return values['state'] === undefined
    ? undefined
    : oneOf('state', values['state'], states, states[0]);
}

const REQUESTS: Record<string, Verb> = {
  list: {
    args: `[--state ${REQUEST_STATES.join('|')}]`,
    flags: { state: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.get('/v1/requests', { state: state(values, REQUEST_STATES) });
      return { body, text: () => requestsTable(body as RequestView[]) };
    },
  },
  show: {
    args: 'ID',
    positionals: 1,
    run: async ({ api, positionals }) => {
      const body = await api.get(`/v1/requests/${idArgument('request ID', positionals[0])}`);
      return { body, text: () => requestDetailText(body as RequestDetail) };
    },
  },
  create: {
    args: '--accelerator A --gpus N --from YYYY-MM --to YYYY-MM --class C --reason TEXT',
    posts: true,
    flags: {
      accelerator: { type: 'string' },
      gpus: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      class: { type: 'string' },
      reason: { type: 'string' },
    },
    run: async ({ api, values }) => {
      const body = await api.post('/v1/requests', {
        accelerator: required(values, 'accelerator'),
        gpus: count('--gpus', required(values, 'gpus')),
        window: { from: required(values, 'from'), to: required(values, 'to') },
        workloadClass: required(values, 'class'),
        reason: required(values, 'reason'),
      });
      const created = body as RequestDetail;
      return {
        body,
        text: () =>
          `Created request ${created.id}: ${routing(created)}\n\n${requestDetailText(created)}`,
      };
    },
  },
  'from-plan': {
    args: 'PLAN [--workload ID]... [--accelerator A]',
    positionals: 1,
    posts: true,
    flags: {
      workload: { type: 'string', multiple: true },
      accelerator: { type: 'string' },
    },
    run: async ({ api, positionals, values }) => {
      const plan = idArgument('PLAN', positionals[0]);
      const workloads = repeated(values, 'workload');
      const accelerator = optional(values, 'accelerator');
      const body = (await api.post(`/v1/plans/${plan}/requests`, {
        ...(workloads.length > 0 ? { workloads } : {}),
        ...(accelerator === undefined ? {} : { accelerator }),
      })) as { requests: number[] };
      return {
        body,
        text: async () => {
          const created = new Set(body.requests);
          const requests = ((await api.get('/v1/requests')) as RequestView[]).filter((request) =>
            created.has(request.id),
          );
          const waiting = requests.filter((request) => request.state === 'offered').length;
          return [
            `Created ${plural(created.size, 'request')} for the unmet demand of plan ${plan}:\n\n`,
            requestsTable(requests),
            waiting === 0
              ? ''
              : `\n${plural(waiting, 'request')} ${waiting === 1 ? 'waits' : 'wait'} for the right-of-first-refusal holder: stargate offers list --state pending\n`,
          ].join('');
        },
      };
    },
  },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Where a new request went: to a holder, or straight to clearing. */
function routing(detail: RequestDetail): string {
  const pending = detail.offers.find((offer) => offer.state === 'pending');
  if (pending) {
    return `offered to ${pending.holder} under rofr term ${pending.term} of ${pending.contract}; it has until ${when(pending.deadline)} to answer offer ${pending.id}`;
  }
  if (detail.state === 'cleared') return 'no right of first refusal binds it; cleared for quotes';
  return detail.state;
}

const OFFERS: Record<string, Verb> = {
  list: {
    args: `[--state ${OFFER_STATES.join('|')}]`,
    flags: { state: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.get('/v1/offers', { state: state(values, OFFER_STATES) });
      return { body, text: () => offersTable(body as OfferView[]) };
    },
  },
  show: {
    args: 'ID',
    positionals: 1,
    run: async ({ api, positionals }) => {
      const body = await api.get(`/v1/offers/${idArgument('offer ID', positionals[0])}`);
      return { body, text: () => offerText(body as OfferView) };
    },
  },
  accept: {
    args: 'ID --price P [--gpus N] [--delivery YYYY-MM] [--site ID]',
    positionals: 1,
    posts: true,
    flags: {
      price: { type: 'string' },
      gpus: { type: 'string' },
      delivery: { type: 'string' },
      site: { type: 'string' },
    },
    run: async ({ api, positionals, values }) => {
      const id = idArgument('offer ID', positionals[0]);
      const gpus = count('--gpus', optional(values, 'gpus'));
      const delivery = optional(values, 'delivery');
      const site = optional(values, 'site');
      const body = await api.post(`/v1/offers/${id}/accept`, {
        pricePerGpuHour: required(values, 'price'),
        ...(gpus === undefined ? {} : { gpus }),
        ...(delivery === undefined ? {} : { deliveryMonth: delivery }),
        ...(site === undefined ? {} : { site }),
      });
      const offer = body as OfferView;
      return {
        body,
        text: () =>
          `Accepted offer ${offer.id}: ${grouped(offer.acceptedGpus ?? 0)} GPUs at ${price(offer.pricePerGpuHour)} from ${offer.deliveryMonth ?? '-'}, new pool ${offer.pool ?? '-'}${requestState(offer)}\n\n${offerText(offer)}`,
      };
    },
  },
  decline: {
    args: 'ID [--note TEXT]',
    positionals: 1,
    posts: true,
    flags: { note: { type: 'string' } },
    run: async ({ api, positionals, values }) => {
      const id = idArgument('offer ID', positionals[0]);
      const note = optional(values, 'note');
      const body = await api.post(`/v1/offers/${id}/decline`, note === undefined ? {} : { note });
      const offer = body as OfferView;
      return {
        body,
        text: () =>
          `Declined offer ${offer.id}: ${offer.holder} waives its right of first refusal on ${offeredGpus(offer)}${requestState(offer)}\n\n${offerText(offer)}`,
      };
    },
  },
};

const QUOTES: Record<string, Verb> = {
  list: {
    args: '[--request ID]',
    flags: { request: { type: 'string' } },
    run: async ({ api, values }) => {
      const request = count('--request', optional(values, 'request'));
      const body = await api.get('/v1/quotes', {
        request: request === undefined ? undefined : String(request),
      });
      return { body, text: () => quotesTable(body as QuoteView[]) };
    },
  },
  create: {
    args: '--request ID --provider P --gpus N --price P --delivery YYYY-MM [--site S]',
    posts: true,
    flags: {
      request: { type: 'string' },
      provider: { type: 'string' },
      gpus: { type: 'string' },
      price: { type: 'string' },
      delivery: { type: 'string' },
      site: { type: 'string' },
    },
    run: async ({ api, values }) => {
      const site = optional(values, 'site');
      const body = await api.post('/v1/quotes', {
        request: count('--request', required(values, 'request')),
        provider: required(values, 'provider'),
        ...(site === undefined ? {} : { site }),
        gpus: count('--gpus', required(values, 'gpus')),
        pricePerGpuHour: required(values, 'price'),
        deliveryMonth: required(values, 'delivery'),
      });
      const quote = body as QuoteView;
      return {
        body,
        text: () =>
          `Created quote ${quote.id} for request ${quote.request}; award it with: stargate awards create --quote ${quote.id}\n\n${quotesTable([quote])}`,
      };
    },
  },
};

const AWARDS: Record<string, Verb> = {
  list: {
    args: '',
    run: async ({ api }) => {
      const body = await api.get('/v1/awards');
      return { body, text: () => awardsTable(body as AwardView[]) };
    },
  },
  create: {
    args: '--quote ID',
    posts: true,
    flags: { quote: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.post('/v1/awards', {
        quote: count('--quote', required(values, 'quote')),
      });
      const award = body as AwardView;
      return {
        body,
        text: () =>
          `Awarded request ${award.request} to quote ${award.quote}: new pool ${award.pool}, rofr cleared; the next plan may place work on it\n\n${awardsTable([award])}`,
      };
    },
  },
};

const DELIVERIES: Record<string, Verb> = {
  list: {
    args: '[--pool ID]',
    flags: { pool: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.get('/v1/deliveries', { pool: optional(values, 'pool') });
      return { body, text: () => deliveriesTable(body as DeliveryView[]) };
    },
  },
  record: {
    args: '--pool ID --month YYYY-MM --gpus N',
    posts: true,
    flags: {
      pool: { type: 'string' },
      month: { type: 'string' },
      gpus: { type: 'string' },
    },
    run: async ({ api, values }) => {
      const body = await api.post('/v1/deliveries', {
        pool: required(values, 'pool'),
        month: required(values, 'month'),
        gpus: count('--gpus', required(values, 'gpus')),
      });
      const delivery = body as DeliveryView;
      return {
        body,
        text: () =>
          `Recorded ${grouped(delivery.gpus)} GPUs delivered to ${delivery.pool} in ${delivery.month}\n\n${deliveriesTable([delivery])}`,
      };
    },
  },
  late: {
    args: '',
    run: async ({ api }) => {
      const body = await api.get('/v1/procurement/late');
      return { body, text: () => lateTable(body as LateDelivery[]) };
    },
  },
};

const PLANS: Record<string, Verb> = {
  create: {
    args: `[--solver ${SOLVERS.join('|')}] [--time-limit SEC]`,
    posts: true,
    flags: { solver: { type: 'string' }, 'time-limit': { type: 'string' } },
    run: async ({ api, values }) => {
      const solver =
        values['solver'] === undefined
          ? undefined
          : oneOf('solver', values['solver'], SOLVERS, 'auto');
      const limit = positiveNumber('time-limit', values['time-limit']);
      const body = await api.post('/v1/plans', {
        ...(solver === undefined ? {} : { solver }),
        ...(limit === undefined ? {} : { timeLimitSeconds: limit }),
      });
      const plan = body as PlanSummary;
      return {
        body,
        text: () =>
          `Created plan ${plan.id}; read it with: stargate plans show ${plan.id}\n\n${plansTable([plan])}`,
      };
    },
  },
  list: {
    args: '',
    run: async ({ api }) => {
      const body = await api.get('/v1/plans');
      return { body, text: () => plansTable(body as PlanSummary[]) };
    },
  },
  show: {
    args: 'ID|latest',
    positionals: 1,
    run: async ({ api, positionals }) => {
      const plans = (await api.get('/v1/plans')) as PlanSummary[];
      const id =
        positionals[0] === 'latest'
          ? (plans[0]?.id ?? noPlans())
          : idArgument('plan ID', positionals[0]);
      const body = await api.get(`/v1/plans/${id}`);
      return {
        body,
        text: () =>
          planSummaryText(
            id,
            body as PlanDocument,
            plans.find((plan) => plan.id === id),
          ),
      };
    },
  },
  diff: {
    args: 'A B',
    positionals: 2,
    run: async ({ api, positionals }) => {
      const a = idArgument('plan A', positionals[0]);
      const b = idArgument('plan B', positionals[1]);
      const body = await api.get(`/v1/plans/${a}/diff/${b}`);
      return { body, text: () => planDiffText(body as PlanDiff) };
    },
  },
};

function noPlans(): never {
  throw new UsageError('plans show latest: the server holds no plans yet; stargate plans create');
}

export const requestsCommand = verbCommand('requests', REQUESTS);
export const requestsUsage = groupUsage('requests', REQUESTS);
export const offersCommand = verbCommand('offers', OFFERS);
export const offersUsage = groupUsage('offers', OFFERS);
export const quotesCommand = verbCommand('quotes', QUOTES);
export const quotesUsage = groupUsage('quotes', QUOTES);
export const awardsCommand = verbCommand('awards', AWARDS);
export const awardsUsage = groupUsage('awards', AWARDS);
export const deliveriesCommand = verbCommand('deliveries', DELIVERIES);
export const deliveriesUsage = groupUsage('deliveries', DELIVERIES);
const INVENTORY: Record<string, Verb> = {
  show: {
    args: '[--site S]',
    flags: { site: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.get('/v1/inventory', { site: optional(values, 'site') });
      return { body, text: () => inventoryText(body as Inventory) };
    },
  },
  nodes: {
    args: '[--site S]',
    flags: { site: { type: 'string' } },
    run: async ({ api, values }) => {
      const body = await api.get('/v1/nodes', { site: optional(values, 'site') });
      return { body, text: () => nodesTable(body as NodeView[]) };
    },
  },
  node: {
    args: 'NAME',
    positionals: 1,
    run: async ({ api, positionals }) => {
      const body = await api.get(`/v1/nodes/${encodeURIComponent(positionals[0] ?? '')}`);
      return { body, text: () => nodeText(body as NodeDetail) };
    },
  },
};

export const inventoryCommand = verbCommand('inventory', INVENTORY, 'show');
export const inventoryUsage = groupUsage('inventory', INVENTORY);
export const plansCommand = verbCommand('plans', PLANS);
export const plansUsage = groupUsage('plans', PLANS);

/** `; request 3 is cleared` where the caller may see the request's state (not holders). */
function requestState(offer: OfferView): string {
  const state = offer.requested?.state;
  return state === undefined ? '' : `; request ${offer.request} is ${state}`;
}
