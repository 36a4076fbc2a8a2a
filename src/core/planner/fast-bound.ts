import type { Prepared } from './fast-model.js';
import { cheapestOption, costs, fillCheapest, optionCost, weightTable } from './fast-model.js';

/**
 * A sum of floats with Neumaier's compensation: the Lagrangian adds a million terms of mixed
 * signs, and the bound must not drift above the true value by rounding.
 */
class Sum {
  private sum = 0;
  private compensation = 0;

  add(term: number): void {
    const next = this.sum + term;
    this.compensation +=
      Math.abs(this.sum) >= Math.abs(term) ? this.sum - next + term : term - next + this.sum;
    this.sum = next;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/**
 * The Lagrangian function L(λ, μ) of the placement model with pool capacity (prices λ ≥ 0 per
 * pool-month) and commitments (weights μ ∈ [0, 1]) relaxed:
 *
 *     L = U − Σ λ[c]·cap[c] + Σ μ[k]·min[k] + Σ_demands min_x Σ r[i]·x[i]
 *           + Σ_gang workloads min(0, min_options Σ r[i]·x[i] − V)
 *
 * with reduced costs r[i] = h·price·(1 − Σμ) + λ − h·value (value 0 for gang triples). Each
 * splittable demand fills its triples with r < 0 cheapest first, each up to its pool's size
 * (the model's column bound); each gang workload takes its cheapest option, each month filled
 * cheapest first, when that beats its value V. Every choice is optimal for the relaxed model,
 * and the shortfall columns cost (1 − μ) ≥ 0, so L ≤ the MIP optimum by weak duality, for any
 * λ ≥ 0 and μ ∈ [0, 1]. `effective` and `reduced` are scratch arrays, one entry per triple.
 */
export function lagrangian(
  model: Prepared,
  lambda: Float64Array,
  mu: Float64Array,
  effective: Float64Array,
  reduced: Float64Array,
  usage?: Float64Array,
): number {
  const { capacity, capIndex, demandStart, demandNeed, scratch } = model;
  costs(model, lambda, mu, effective, reduced);
  const value = new Sum();
  value.add(model.allDemandValue);
  for (let c = 0; c < capacity.length; c++) value.add(-(lambda[c] ?? 0) * (capacity[c] ?? 0));
  model.commitments.forEach((c, k) => {
    value.add((mu[k] ?? 0) * c.minimum);
  });

  const room = (i: number) => capacity[capIndex[i] ?? 0] ?? 0;
  const use = (i: number, gpus: number) => {
    if (usage) usage[capIndex[i] ?? 0] = (usage[capIndex[i] ?? 0] ?? 0) + gpus;
  };
  const take = (i: number, gpus: number) => {
    value.add(gpus * (reduced[i] ?? 0));
    use(i, gpus);
  };
  for (let d = 0; d < demandNeed.length; d++) {
    const from = demandStart[d] ?? 0;
    const to = demandStart[d + 1] ?? 0;
    const need = demandNeed[d] ?? 0;
    // Usually the cheapest triple alone holds the need.
    let best = -1;
    let count = 0;
    for (let i = from; i < to; i++) {
      const r = reduced[i] ?? 0;
      if (r >= 0) continue;
      count++;
      if (best < 0 || r < (reduced[best] ?? 0)) best = i;
    }
    if (best < 0) continue;
    if (room(best) >= need) {
      value.add(need * (reduced[best] ?? 0));
      use(best, need);
      continue;
    }
    count = 0;
    for (let i = from; i < to; i++) if ((reduced[i] ?? 0) < 0) scratch[count++] = i;
    fillCheapest(scratch, count, reduced, room, need, take);
  }

  for (let index = 0; index < model.gangOrder.length; index++) {
    const choice = cheapestOption(model, index, reduced, capacity);
    if (choice < 0) continue;
    const net =
      optionCost(model, choice, reduced, capacity, undefined) - (model.optionValue[choice] ?? 0);
    if (net >= 0) continue;
    value.add(net);
    if (usage) optionCost(model, choice, reduced, capacity, use);
  }
  return value.value;
}

/**
 * Capacity prices from demand prices π (USD per GPU-month, one per splittable demand): each
 * pool-month gets the least price at which no demand would rather be there than earn its π,
 * λ[c] = max(0, max over triples i at c of h·value − h·price·(1 − Σμ) − π[d]). With
 * `gangPrice` (one per gang triple, its workload's π that month), gang triples count too, at
 * their workload's value per GPU-hour.
 */
export function pricesFromDemands(
  model: Prepared,
  demandPrice: Float64Array,
  mu: Float64Array,
  lambda: Float64Array,
  gangPrice?: Float64Array,
): void {
  const { demandStart, spendPerGpu, valuePerGpu, providerMonth, capIndex } = model;
  const weights = weightTable(model, mu);
  lambda.fill(0);
  for (let d = 0; d < model.demandWorkload.length; d++) {
    const price = demandPrice[d] ?? 0;
    for (let i = demandStart[d] ?? 0; i < (demandStart[d + 1] ?? 0); i++) {
      const margin =
        (valuePerGpu[i] ?? 0) -
        (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0)) -
        price;
      const c = capIndex[i] ?? 0;
      if (margin > (lambda[c] ?? 0)) lambda[c] = margin;
    }
  }
  if (!gangPrice) return;
  const first = model.groupStart[0] ?? 0;
  for (let i = first; i < spendPerGpu.length; i++) {
    const margin =
      (model.gangValuePerGpu[i - first] ?? 0) -
      (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0)) -
      (gangPrice[i - first] ?? 0);
    const c = capIndex[i] ?? 0;
    if (margin > (lambda[c] ?? 0)) lambda[c] = margin;
  }
}
