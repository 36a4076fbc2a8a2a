/**
 * What a node agent reads off one GPU node, as it sends it: the readings, not the verdict. The
 * server judges health (health.ts) with thresholds it owns, so changing a threshold needs no
 * agent upgrade, and every agent is judged alike.
 *
 * A number the tool could not give (`[N/A]`, `[Not Supported]`, a counter DCGM does not
 * export) is absent, never 0: an absent ECC count is "unknown", which is not "no errors".
 */

/** Why the clocks are held down, as nvidia-smi's `clocks_event_reasons` names them. */
export const CLOCK_EVENT_REASONS = [
  'gpu_idle',
  'applications_clocks_setting',
  'sw_power_cap',
  'hw_slowdown',
  'sync_boost',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'display_clocks_setting',
] as const;
export type ClockEventReason = (typeof CLOCK_EVENT_REASONS)[number];

/** nvidia-smi's bit for each reason (`clocks_event_reasons.active` is their OR, in hex). */
export const CLOCK_EVENT_BITS: Readonly<Record<ClockEventReason, number>> = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clocks_setting: 0x100,
};

/** One GPU as read. Only `index` is always there; the rest is absent when the tool gave none. */
export interface GpuReading {
  /** nvidia-smi's index (DCGM's `gpu` label) on this node. */
  readonly index: number;
  readonly uuid?: string | undefined;
  /** The product name as the tool prints it, e.g. `NVIDIA H100 80GB HBM3`. */
  readonly name?: string | undefined;
  readonly busId?: string | undefined;
  readonly memoryMiB?: number | undefined;
  readonly temperatureC?: number | undefined;
  readonly powerDrawW?: number | undefined;
  /** The power limit the GPU enforces now. */
  readonly powerLimitW?: number | undefined;
  /** The limit it ships with (`default_power_limit`), to tell a capped GPU from a normal one. */
  readonly defaultPowerLimitW?: number | undefined;
  /** Uncorrectable ECC errors since the driver loaded (`ecc.errors.uncorrected.volatile.total`). */
  readonly eccUncorrectedVolatile?: number | undefined;
  /** Clock event reasons active now, sorted as CLOCK_EVENT_REASONS. */
  readonly clockEventReasons?: readonly ClockEventReason[] | undefined;
  /** A row remap is pending (needs a GPU reset to take effect). */
  readonly remappedRowsPending?: boolean | undefined;
  /** The row remapper ran out of spare rows. */
  readonly remappedRowsFailure?: boolean | undefined;
  /** A page retirement is pending (GPUs before Ampere retire pages instead of remapping rows). */
  readonly retiredPagesPending?: boolean | undefined;
  /** XID errors seen since the last reading (DCGM's `DCGM_FI_DEV_XID_ERRORS`), ascending. */
  readonly xids?: readonly number[] | undefined;
  /**
   * Set when the tool's line for this GPU could not be read (truncated, malformed): what was
   * wrong. Such a GPU is reported, so it is not silently missing, and never counts as healthy.
   */
  readonly unparsable?: string | undefined;
}

/** A node's whole reading: the GPUs and what the driver says of itself. */
export interface NodeReading {
  readonly source: 'nvidia-smi' | 'dcgm';
  readonly driverVersion?: string | undefined;
  readonly cudaVersion?: string | undefined;
  readonly gpus: readonly GpuReading[];
  /**
   * What the agent could not read but sent the reading anyway, e.g. `nvidia-smi -q -x` failed so
   * the XML-only facts (remapped rows, default power limit) are absent. Absent when none.
   */
  readonly warnings?: readonly string[] | undefined;
}

/** A node's name as an agent gives it (a host name by default): what the server accepts. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
