import { readFile } from 'node:fs/promises';
import type { Scenario } from '../core/model.js';
import { InvalidInputError } from './problems.js';
import { scenarioHash } from './scenario-hash.js';
import { repeatsKey } from './json-keys.js';
import { parseJsonScenario, validateScenario } from './validate.js';

/**
 * Reads and validates a scenario file, YAML or JSON. A missing or unreadable file is an
 * `InvalidInputError` too: the user named it.
 */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  const text = await readScenarioText(path);
  // A valid JSON scenario needs no YAML reader; YAML, and problems to report with their
  // lines, load it.
  const scenario = parseJsonScenario(text);
  if (scenario) return scenario;
  const { parseScenarioOrThrow } = await import('./parse.js');
  return parseScenarioOrThrow(text, path);
}

/**
 * Reads and validates a scenario file as `loadScenarioFile` does, with the hash of its document
 * (`scenarioHash`): what `stargate plan` writes into the plan, and what the exports compare a
 * plan against.
 */
export async function loadScenarioFileWithHash(
  path: string,
): Promise<{ scenario: Scenario; hash: string }> {
  const text = await readScenarioText(path);
  // A valid JSON scenario: parsed once, for the scenario and the hash.
  const json = jsonDocument(text);
  const valid = json === undefined ? undefined : validateScenario(json);
  if (valid?.ok) return { scenario: valid.scenario, hash: scenarioHash(json) };
  const { parseScenarioOrThrow } = await import('./parse.js');
  const parsed = parseScenarioOrThrow(text, path);
  // Valid, so it parses; the YAML reader is loaded already.
  const { parse } = await import('yaml');
  return { scenario: parsed, hash: scenarioHash(parse(text, { maxAliasCount: 1000 })) };
}

/**
 * Reads a scenario file, checks it as `loadScenarioFile` does, and returns the document as the
 * file wrote it (for the store, which keeps entities as given).
 */
export async function readScenarioDocument(path: string): Promise<Record<string, unknown>> {
  const text = await readScenarioText(path);
  const { parseScenario } = await import('./parse.js');
  const result = parseScenario(text);
  if (!result.ok) throw new InvalidInputError(path, result.problems);
  const { parse } = await import('yaml');
  return parse(text, { maxAliasCount: 1000 }) as Record<string, unknown>;
}

/** A scenario file's text; a missing or unreadable file is the user's input problem. */
async function readScenarioText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, expected a scenario file'
          : `cannot read: ${code ?? String(error)}`;
    throw new InvalidInputError(path, [{ path: [], message }]);
  }
}

/** The value of a JSON document without repeated keys; undefined for anything else. */
function jsonDocument(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const data = JSON.parse(text) as unknown;
    return repeatsKey(text) ? undefined : data;
  } catch {
    return undefined;
  }
}
