import type { Micros } from '../money.js';
import { centsToNumber, toCents } from '../money.js';
import type { ClausePrice, ClausePrices } from './clause-prices.js';
import { termKey } from './clause-prices.js';

const usd = (micros: Micros) => centsToNumber(toCents(micros));

function priceJson(price: ClausePrice) {
  return {
    terms: price.terms.map(termKey),
    verdict: price.verdict,
    priceUSD: usd(price.price.total),
    intervalUSD: { low: usd(price.interval.low), high: usd(price.interval.high) },
    componentsUSD: {
      compute: usd(price.price.compute),
      shortfall: usd(price.price.shortfall),
      unmet: usd(price.price.unmet),
    },
    ...(price.interaction === undefined ? {} : { interactionUSD: usd(price.interaction) }),
    movedGpuMonths: price.movedGpuMonths,
    servedGpuMonths: price.servedGpuMonths,
    workloads: price.workloads.map((w) => ({ ...w })),
    providers: price.providers.map((p) => ({
      provider: p.provider,
      computeUSD: usd(p.compute),
      shortfallUSD: usd(p.shortfall),
      totalUSD: usd(p.total),
    })),
  };
}

/** The JSON document of clause prices, amounts in USD (cents exact), for the CLI and the API. */
export function clausePricesToJson(prices: ClausePrices) {
  return {
    scenario: prices.scenario,
    base: {
      solver: prices.base.solver,
      totalUSD: usd(prices.base.objective.total),
      lowerBoundUSD: usd(prices.base.lowerBound),
      computeUSD: usd(prices.base.objective.compute),
      shortfallUSD: usd(prices.base.objective.shortfall),
      unmetUSD: usd(prices.base.objective.unmet),
    },
    solves: prices.solves,
    terms: prices.terms.map((t) => ({
      key: termKey(t),
      contract: t.contract,
      term: t.term,
      type: t.type,
      binds: t.binds,
    })),
    singles: prices.singles.map(priceJson),
    pairs: prices.pairs.map(priceJson),
    ledgerTerms: prices.ledgerTerms.map((t) => ({ key: termKey(t), type: t.type })),
  };
}

export type ClausePricesJson = ReturnType<typeof clausePricesToJson>;
