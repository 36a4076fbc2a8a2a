import type { ValueJson } from '../core/planner/value-json.js';
import type { ValueTask } from './value-task.js';
import { runValueTask } from './value-task.js';

/** A tinypool worker's task: one scenario's capacity values and building moves per call. */
export function value(task: ValueTask): Promise<ValueJson> {
  return runValueTask(task);
}
