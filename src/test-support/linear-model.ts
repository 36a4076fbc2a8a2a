import type { LinearModel } from '../core/planner/solver.js';

/** Row r's activity Σ a[r,j]·values[j]: what a test checks against the row's bounds. */
export function rowActivity(model: LinearModel, values: ArrayLike<number>, r: number): number {
  let activity = 0;
  for (let k = model.rowStarts[r] ?? 0; k < (model.rowStarts[r + 1] ?? 0); k++) {
    activity += (model.rowValue[k] ?? 0) * (values[model.rowIndex[k] ?? 0] ?? 0);
  }
  return activity;
}
