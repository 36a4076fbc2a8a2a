import { describe, expect, it } from 'vitest';
import { WeightSearch } from './fast.js';

/** Runs a search on spend(μ) − minimum from μ = ½ for `steps` solves; returns the weights tried. */
function trace(excess: (mu: number) => number, steps: number, search = new WeightSearch()) {
  const tried: number[] = [];
  let mu = 0.5;
  for (let step = 0; step < steps; step++) {
    tried.push(mu);
    mu = search.next(mu, excess(mu));
  }
  return tried;
}

describe('the commitment weight search', () => {
  it('settles at 0 at its second step where the minimum is met without weight, and stays', () => {
    expect(trace(() => 2_000, 5)).toEqual([0.5, 0, 0, 0, 0]);
  });

  it('settles at 1 where the minimum is not met at any weight', () => {
    expect(trace(() => -2_000, 4)).toEqual([0.5, 1, 1, 1]);
  });

  it('has a bracket after two steps and interpolates in it', () => {
    // Spend linear in μ, meeting the minimum at μ = 0.3.
    const tried = trace((mu) => 1_000 * (mu - 0.3), 4);
    expect(tried.slice(0, 2)).toEqual([0.5, 0]);
    // Regula falsi on [0, 0.5] with excesses −300 and 200 lands on the root.
    expect(tried[2]).toBeCloseTo(0.3, 12);
  });

  it('bisects where the interpolation lands within 1 % of an end, and interpolates past it', () => {
    // Short by 1 at 0, over by 99 at ½: t = 0.01, not inside the guard, so the middle.
    const near = new WeightSearch();
    near.next(0.5, 99);
    expect(near.next(0, -1)).toBe(0.25);
    // Short by 2, over by 98: t = 0.02, interpolated.
    const inside = new WeightSearch();
    inside.next(0.5, 98);
    expect(inside.next(0, -2)).toBeCloseTo(0.01, 12);
  });

  it('reopens an end that no longer holds, as when the other commitments’ weights move', () => {
    const search = new WeightSearch();
    expect(search.next(0.5, 100)).toBe(0);
    expect(search.next(0, 50)).toBe(0);
    // Now short at 0 (another commitment took the spend): the top is not known any more.
    expect(search.next(0, -50)).toBe(1);
    // Over by 150 at 1: a bracket [0, 1], interpolated at 0.25.
    expect(search.next(1, 150)).toBeCloseTo(0.25, 12);
  });

  it('searches around an earlier interval widened by its width, within [0, 1]', () => {
    const first = new WeightSearch();
    first.next(0.5, 100);
    first.next(0, -100);
    // Interval [0, 0.5], width ½: around it [0, 1]; its ends are measured anew.
    const around = first.around();
    expect(around.next(0.25, 10)).toBe(0);
    expect(around.next(0, -10)).toBeCloseTo(0.125, 12);
  });
});
