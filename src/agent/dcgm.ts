import type { GpuReading, NodeReading } from '../core/fleet/readings.js';
import { reasonsFromMask } from './clock-reasons.js';
import { AgentReadError } from './errors.js';
import type { MetricFamily, Sample } from './prometheus-text.js';
import { parsePrometheusText } from './prometheus-text.js';

type Draft = { -readonly [K in keyof GpuReading]?: GpuReading[K] };
type NumberKey =
  'temperatureC' | 'powerDrawW' | 'powerLimitW' | 'defaultPowerLimitW' | 'eccUncorrectedVolatile';
type FlagKey = 'remappedRowsPending' | 'remappedRowsFailure' | 'retiredPagesPending';

// The exporter names each metric after the DCGM field in its counters CSV. DCGM 4 renamed
// several fields (DCGM_FI_DEV_GPU_TEMP → DCGM_FI_DEV_GPU_TEMP_CELSIUS…) and go-dcgm reads both,
// so an operator's CSV may use either: each list takes the first name present, legacy first
// because the exporter's own etc/default-counters.csv still uses it.
const NUMBERS: readonly (readonly [NumberKey, readonly string[]])[] = [
  ['temperatureC', ['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_GPU_TEMP_CELSIUS']],
  ['powerDrawW', ['DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_BOARD_POWER_WATTS']],
  // nvidia-smi's power.limit is NVML's power management limit; the enforced one stands in.
  [
    'powerLimitW',
    [
      'DCGM_FI_DEV_POWER_MGMT_LIMIT',
      'DCGM_FI_DEV_BOARD_POWER_LIMIT_REQUESTED_WATTS',
      'DCGM_FI_DEV_ENFORCED_POWER_LIMIT',
      'DCGM_FI_DEV_BOARD_POWER_LIMIT_ENFORCED_WATTS',
    ],
  ],
  [
    'defaultPowerLimitW',
    ['DCGM_FI_DEV_POWER_MGMT_LIMIT_DEF', 'DCGM_FI_DEV_BOARD_POWER_LIMIT_DEFAULT_WATTS'],
  ],
  ['eccUncorrectedVolatile', ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL']],
];
const FLAGS: readonly (readonly [FlagKey, readonly string[]])[] = [
  ['remappedRowsPending', ['DCGM_FI_DEV_ROW_REMAP_PENDING']],
  ['remappedRowsFailure', ['DCGM_FI_DEV_ROW_REMAP_FAILURE', 'DCGM_FI_DEV_ROW_REMAP_FAILED']],
  // A count of pages pending retirement: any at all is pending.
  ['retiredPagesPending', ['DCGM_FI_DEV_RETIRED_PENDING', 'DCGM_FI_DEV_PAGE_RETIRED_PENDING']],
];
const CLOCKS = ['DCGM_FI_DEV_CLOCKS_EVENT_REASONS', 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS'];
/** The last XID the GPU raised, 0 for none. */
const LAST_XID = ['DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_XID_ERROR'];
/** The exporter's own count per XID (label `xid`) over its window, when enabled. */
const XID_COUNT = 'DCGM_EXP_XID_ERRORS_COUNT';
const FB_TOTAL = 'DCGM_FI_DEV_FB_TOTAL';
const FB_PARTS = ['DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_RESERVED'];

/** One GPU's samples, by metric name. */
type GpuSamples = Map<string, Sample[]>;

/**
 * A node reading from a DCGM exporter's metrics. GPUs are told apart by the `gpu` label and
 * described by `UUID` (`uuid` with the exporter's --use-old-namespace), `pci_bus_id`,
 * `modelName` and the `DCGM_FI_DRIVER_VERSION` label. A metric the exporter does not export,
 * or exports as one of DCGM's "blank" sentinels, is absent from the reading.
 * Throws AgentReadError when no sample names a GPU: an empty list would read as a node that
 * lost all its GPUs.
 */
export function dcgmReading(families: readonly MetricFamily[]): NodeReading {
  const byGpu = new Map<number, GpuSamples>();
  const warnings = new Set<string>();
  for (const family of families) {
    for (const sample of family.samples) {
      const gpuLabel = sample.labels.gpu;
      if (gpuLabel === undefined) continue;
      if (!/^\d+$/.test(gpuLabel)) {
        warnings.add(`${family.name}: gpu label '${gpuLabel}' is not a GPU index`);
        continue;
      }
      const samples = byGpu.get(Number(gpuLabel)) ?? new Map<string, Sample[]>();
      byGpu.set(Number(gpuLabel), samples);
      samples.set(sample.name, [...(samples.get(sample.name) ?? []), sample]);
    }
  }
  if (byGpu.size === 0) throw new AgentReadError('the DCGM exporter listed no GPUs');

  const gpus = [...byGpu.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, samples]) => readGpu(index, samples));
  const all = [...byGpu.values()].flatMap((samples) => [...samples.values()].flat());
  const driverVersion = all.map((s) => s.labels.DCGM_FI_DRIVER_VERSION).find(Boolean);
  return {
    source: 'dcgm',
    ...(driverVersion !== undefined && { driverVersion }),
    gpus,
    ...(warnings.size > 0 && { warnings: [...warnings] }),
  };
}

/**
 * Fetches a DCGM exporter's `/metrics` text and reads it. `fetchText` resolves the body of a
 * successful response and rejects otherwise; the caller owns timeouts.
 * Throws AgentReadError when the exporter cannot be reached, sends unreadable text, or lists no
 * GPUs.
 */
export async function readDcgm(
  fetchText: (url: string) => Promise<string>,
  url: string,
): Promise<NodeReading> {
  let text: string;
  try {
    text = await fetchText(url);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AgentReadError(`cannot reach the DCGM exporter at ${url}: ${why}`, { cause: error });
  }
  let families: MetricFamily[];
  try {
    families = parsePrometheusText(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AgentReadError(`the DCGM exporter at ${url} sent unreadable metrics: ${why}`, {
      cause: error,
    });
  }
  try {
    return dcgmReading(families);
  } catch (error) {
    if (error instanceof AgentReadError) {
      throw new AgentReadError(`the DCGM exporter at ${url} listed no GPUs`, { cause: error });
    }
    throw error;
  }
}

function readGpu(index: number, samples: GpuSamples): GpuReading {
  const value = (names: readonly string[]): number | undefined => {
    for (const name of names) {
      const found = wholeGpu(samples.get(name));
      if (found && !isBlank(found.value)) return found.value;
    }
    return undefined;
  };
  const draft: Draft = {};
  // Device labels from a sample of the device itself (an NVLink sample names it differently).
  const all = [...samples.values()].flat();
  const device = (all.find((s) => s.labels.UUID ?? s.labels.uuid) ?? all[0])?.labels ?? {};
  const uuid = device.UUID ?? device.uuid;
  if (uuid) draft.uuid = uuid;
  if (device.modelName) draft.name = device.modelName;
  if (device.pci_bus_id) draft.busId = device.pci_bus_id;

  for (const [key, names] of NUMBERS) {
    const found = value(names);
    if (found !== undefined) draft[key] = found;
  }
  for (const [key, names] of FLAGS) {
    const found = value(names);
    if (found !== undefined) draft[key] = found !== 0;
  }
  const clocks = value(CLOCKS);
  if (clocks !== undefined) draft.clockEventReasons = reasonsFromMask(BigInt(Math.trunc(clocks)));
  const memory = memoryMiB(value);
  if (memory !== undefined) draft.memoryMiB = memory;
  const xids = readXids(value(LAST_XID), samples.get(XID_COUNT));
  if (xids !== undefined) draft.xids = xids;
  return { index, ...draft };
}

/**
 * FB_TOTAL when exported; else free + used + reserved, which is what nvidia-smi's
 * memory.total adds up to (81079 + 0 + 480 = 81559 MiB on an H100). Without the reserved
 * part the sum would undercount, so it is then absent.
 */
function memoryMiB(value: (names: readonly string[]) => number | undefined): number | undefined {
  const total = value([FB_TOTAL]);
  if (total !== undefined) return total;
  const parts = FB_PARTS.map((name) => value([name]));
  if (parts.some((part) => part === undefined)) return undefined;
  return parts.reduce<number>((sum, part) => sum + (part ?? 0), 0);
}

/** The XIDs seen, ascending; [] when the exporter says none; absent when it says nothing. */
function readXids(
  last: number | undefined,
  counts: readonly Sample[] | undefined,
): number[] | undefined {
  if (last === undefined && counts === undefined) return undefined;
  const seen = new Set<number>();
  if (last !== undefined && last > 0) seen.add(last);
  for (const sample of counts ?? []) {
    const xid = Number(sample.labels.xid);
    if (sample.value > 0 && Number.isInteger(xid) && xid > 0) seen.add(xid);
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The sample for the whole GPU. Under MIG the exporter also labels samples with a GPU
 * instance (`GPU_I_ID`); those describe a slice, not the device.
 */
function wholeGpu(samples: readonly Sample[] | undefined): Sample | undefined {
  return samples?.find((s) => s.labels.GPU_I_ID === undefined) ?? samples?.[0];
}

/**
 * DCGM's "no value" sentinels (DCGM_INT32_BLANK… and DCGM_INT64_BLANK…, DCGM_FP64_BLANK…:
 * blank, not found, not supported, not permissioned). Current exporters drop such samples,
 * older ones printed them (9223372036854775794 for an unsupported memory temperature).
 */
function isBlank(value: number): boolean {
  if (!Number.isFinite(value)) return true;
  const int32Blank = 0x7ffffff0;
  const fp64Blank = 140737488355328;
  return (
    (value >= int32Blank && value <= int32Blank + 3) ||
    (value >= fp64Blank && value <= fp64Blank + 3) ||
    // The int64 sentinels sit just under 2^63, beyond a double's precision; no real metric
    // comes near 2^62.
    value >= 2 ** 62
  );
}
