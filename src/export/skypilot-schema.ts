import { INFRA_PATTERN } from './skypilot-infra.js';

/**
 * The part of SkyPilot's task schema that `stargate export skypilot` writes, as JSON Schema.
 * Transcribed from skypilot-org/skypilot `sky/utils/schemas.py` at commit
 * 00052dfe0d132c5ad6aa9a175572b0695f747c80:
 *
 * - `get_task_schema()`: the task is an object with no unknown keys; `name` a string;
 *   `resources` an object, checked on its own by
 * - `get_resources_schema()`: no unknown keys; `any_of` and `ordered` are arrays of
 * - `_get_single_resources_schema()` (less `$schema`): no unknown keys; `infra` a string
 *   matching `_get_infra_pattern()`; `cloud`, `region` strings; `accelerators` a string, or an
 *   object of one name to a count.
 *
 * Stricter than SkyPilot in two places, both ours: `accelerators` as a string must read
 * `NAME:COUNT` (SkyPilot parses any string), and `infra` may not use `*` wildcards.
 */
const singleResources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    infra: { type: 'string', pattern: INFRA_PATTERN.source },
    cloud: { type: 'string' },
    region: { type: 'string' },
    accelerators: {
      anyOf: [
        { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]*:[1-9][0-9]*$' },
        {
          type: 'object',
          maxProperties: 1,
          additionalProperties: { type: 'number' },
        },
      ],
    },
  },
} as const;

export const SKYPILOT_TASK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'resources'],
  properties: {
    name: { type: 'string' },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        any_of: { type: 'array', items: singleResources, minItems: 1 },
        ordered: { type: 'array', items: singleResources, minItems: 1 },
      },
    },
  },
} as const;
