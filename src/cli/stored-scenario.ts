import type { Scenario } from '../core/model.js';
import { validateScenario } from '../scenario/parse.js';
import { InvalidInputError } from '../scenario/problems.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import { exportScenario } from '../store/scenario-store.js';
import { UsageError } from './errors.js';
import { describeLocation, locationFrom, openCliStore } from './store-options.js';

/**
 * The store's scenario (`--data DIR`, or DATABASE_URL), for commands that take a scenario
 * file or the store's: validated as a file would be, with its hash. Loaded only when no file
 * is given, so the file commands never open a database.
 */
export async function storedScenario(
  values: Readonly<Record<string, unknown>>,
): Promise<{ scenario: Scenario; hash: string; scenarioWhat: string }> {
  const location = locationFrom(values);
  const store = await openCliStore(location);
  let doc: Record<string, unknown> | undefined;
  try {
    doc = await exportScenario(store.db);
  } finally {
    await store.close();
  }
  const where = `the store (${describeLocation(location)})`;
  if (!doc) throw new UsageError(`no --scenario FILE, and ${where} holds no scenario`);
  const result = validateScenario(doc);
  if (!result.ok) throw new InvalidInputError(`the scenario in ${where}`, result.problems);
  return { scenario: result.scenario, hash: scenarioHash(doc), scenarioWhat: where };
}
