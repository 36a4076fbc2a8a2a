import { readFile } from 'node:fs/promises';
import type { Scenario } from '../core/model.js';
import { InvalidInputError } from './problems.js';
import { parseJsonScenario } from './validate.js';

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
