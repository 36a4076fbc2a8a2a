import { readFile } from 'node:fs/promises';
import type { Scenario } from '../core/model.js';
import { InvalidInputError } from './problems.js';
import { parseJsonScenario } from './validate.js';

/**
 * Reads and validates a scenario file, YAML or JSON. A missing or unreadable file is an
 * `InvalidInputError` too: the user named it.
 */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
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
  // A valid JSON scenario needs no YAML reader; YAML, and problems to report with their
  // lines, load it.
  const scenario = parseJsonScenario(text);
  if (scenario) return scenario;
  const { parseScenarioOrThrow } = await import('./parse.js');
  return parseScenarioOrThrow(text, path);
}
