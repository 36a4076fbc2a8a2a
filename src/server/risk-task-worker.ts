import type { RiskOutcome, RiskTask } from './risk-task.js';
import { runRiskTask } from './risk-task.js';

/** A tinypool worker's task: one stored plan under slip risk per call. */
export function risk(task: RiskTask): RiskOutcome {
  return runRiskTask(task);
}
