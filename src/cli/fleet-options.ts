import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { FleetSettings } from '../store/fleet.js';
import { DEFAULT_FLEET_SETTINGS } from '../store/fleet.js';
import type { FlagValue } from './args.js';
import { positiveNumber } from './args.js';
import { UsageError } from './errors.js';

/** serve's flags for judging heartbeats (docs/agent.md). */
export const FLEET_FLAGS = {
  'gpu-parts': { type: 'string' },
  'max-gpu-temperature': { type: 'string' },
  'min-power-limit': { type: 'string' },
  'critical-xids': { type: 'string' },
  'fleet-history-every': { type: 'string' },
  'fleet-history-days': { type: 'string' },
  'agent-deliveries': { type: 'string' },
} as const;

const partsFile = z
  .array(
    z
      .object({
        prefix: z.string({ error: 'expected prefix: the start of the product name' }).min(1),
        accelerator: z.string({ error: 'expected accelerator: a scenario accelerator id' }).min(1),
      })
      .strict(),
    { error: 'expected a list of { prefix, accelerator }' },
  )
  .min(1, { error: 'expected at least one rule' });

type Values = Readonly<Record<string, FlagValue>>;

/** The fleet settings from serve's flags; the defaults for any flag not given. */
export async function fleetSettingsFrom(values: Values): Promise<FleetSettings> {
  const text = (flag: string) => {
    const value = values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  let parts = DEFAULT_FLEET_SETTINGS.parts;
  const partsPath = text('gpu-parts');
  if (partsPath !== undefined) {
    let raw: unknown;
    try {
      raw = parseYaml(await readFile(partsPath, 'utf8'));
    } catch (error) {
      throw new UsageError(`--gpu-parts: cannot read ${partsPath}: ${(error as Error).message}`);
    }
    const parsed = partsFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `--gpu-parts: ${partsPath}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'not valid'}`,
      );
    }
    parts = parsed.data;
  }
  const fraction = positiveNumber('min-power-limit', values['min-power-limit']);
  if (fraction !== undefined && fraction > 1) {
    throw new UsageError(
      `--min-power-limit: expected a fraction of the default limit, above 0 and at most 1, got ${fraction}`,
    );
  }
  const xidsText = text('critical-xids');
  const xids =
    xidsText === undefined
      ? undefined
      : xidsText.split(',').map((item) => {
          const trimmed = item.trim();
          if (!/^\d{1,5}$/.test(trimmed)) {
            throw new UsageError(
              `--critical-xids: expected XID numbers separated by commas, got ${item}`,
            );
          }
          return Number(trimmed);
        });
  const thresholds = DEFAULT_FLEET_SETTINGS.thresholds;
  const everyMinutes = positiveNumber('fleet-history-every', values['fleet-history-every']);
  const days = positiveNumber('fleet-history-days', values['fleet-history-days']);
  const deliveriesText = text('agent-deliveries');
  let agentDeliveries: FleetSettings['agentDeliveries'] = DEFAULT_FLEET_SETTINGS.agentDeliveries;
  if (deliveriesText === 'none') agentDeliveries = [];
  else if (deliveriesText !== undefined && deliveriesText !== 'all') {
    const ids = deliveriesText.split(',').map((id) => id.trim());
    const bad = ids.find((id) => !/^[a-z0-9][a-z0-9._-]{0,62}$/.test(id));
    if (bad !== undefined) {
      throw new UsageError(
        `--agent-deliveries: expected all, none, or pool and building ids separated by commas, got ${bad === '' ? 'an empty id' : bad}`,
      );
    }
    agentDeliveries = [...new Set(ids)].sort();
  }
  return {
    ...DEFAULT_FLEET_SETTINGS,
    agentDeliveries,
    parts,
    thresholds: {
      maxTemperatureC:
        positiveNumber('max-gpu-temperature', values['max-gpu-temperature']) ??
        thresholds.maxTemperatureC,
      minPowerLimitFraction: fraction ?? thresholds.minPowerLimitFraction,
      criticalXids: xids ? [...new Set(xids)].sort((a, b) => a - b) : thresholds.criticalXids,
    },
    ...(everyMinutes === undefined ? {} : { historyEveryMs: everyMinutes * 60_000 }),
    ...(days === undefined ? {} : { historyRetentionDays: days }),
  };
}
