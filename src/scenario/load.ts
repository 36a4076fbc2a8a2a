import { readFile } from 'node:fs/promises';
import type { Scenario } from '../core/model.js';
import { InvalidInputError } from './problems.js';
import { parseScenarioOrThrow } from './parse.js';

/**
 * Reads and validates a scenario file. A missing or unreadable file is an
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
  return parseScenarioOrThrow(text, path);
}
