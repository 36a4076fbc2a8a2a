import { scenarioJsonSchema } from '../../scenario/schema.js';
import { parseCommandArgs } from '../args.js';
import type { Io } from '../io.js';
import { schemaUsage } from '../usage.js';

/** `stargate schema`: the JSON Schema of scenario format v1. */
export function schemaCommand(argv: readonly string[], io: Io): Promise<number> {
  parseCommandArgs('schema', argv, {}, { min: 0, max: 0, usage: schemaUsage });
  io.out(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return Promise.resolve(0);
}
