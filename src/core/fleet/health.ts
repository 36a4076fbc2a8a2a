import type { ClockEventReason, GpuReading } from './readings.js';

/**
 * When a GPU counts as healthy, and so as delivered. The server owns these, so every agent is
 * judged alike and a change needs no agent upgrade (docs/agent.md gives the why of each).
 */
export interface HealthThresholds {
  /** At or above this core temperature (°C) a GPU runs hot. H100 and Blackwell parts start to slow down near 87–90 °C. */
  readonly maxTemperatureC: number;
  /**
   * A GPU whose enforced power limit is below this fraction of its default limit is power-capped:
   * someone (or the facility's power management) has lowered it, and it delivers less compute.
   */
  readonly minPowerLimitFraction: number;
  /** XID errors that take a GPU out of service until it is reset or replaced. */
  readonly criticalXids: readonly number[];
}

/**
 * The critical XIDs (NVIDIA's XID catalogue): 48 double-bit ECC error; 63 and 64 ECC page
 * retirement or row-remap event and its failure; 74 NVLink error; 79 GPU fallen off the bus;
 * 92 high single-bit ECC error rate; 94 and 95 contained and uncontained ECC error; 119 and 120
 * GSP (the GPU's system processor) timeout or error; 140 unrecovered ECC error. Application
 * faults (13, 31, 43, 45) are left out: they are a job's bug, not the machine's.
 */
export const DEFAULT_CRITICAL_XIDS: readonly number[] = [
  48, 63, 64, 74, 79, 92, 94, 95, 119, 120, 140,
];

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  maxTemperatureC: 87,
  minPowerLimitFraction: 0.9,
  criticalXids: DEFAULT_CRITICAL_XIDS,
};

/**
 * Clock slowdowns the hardware forces (heat, a power brake, an external slowdown signal).
 * `sw_power_cap` is not here: a busy GPU at its own limit is working as designed.
 */
const FORCED_SLOWDOWNS: readonly ClockEventReason[] = [
  'hw_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'sw_thermal_slowdown',
];

/** Which check a GPU failed: stable where the reason's text carries a changing value. */
export type HealthCheck =
  | 'unparsable'
  | 'ecc'
  | 'row-remap-failure'
  | 'row-remap-pending'
  | 'page-retirement-pending'
  | 'xid'
  | 'hot'
  | 'power-capped'
  | 'slowdown';

/**
 * Why a GPU is not healthy: each reason a short sentence with the value that tripped it, and
 * the checks it failed (in the same order), so that a change of state can be told from a
 * temperature that moved by a degree.
 */
export type HealthVerdict =
  | { readonly healthy: true }
  | {
      readonly healthy: false;
      readonly reasons: readonly string[];
      readonly checks: readonly HealthCheck[];
    };

/**
 * Judges one GPU's reading. Unknown is not bad: a counter the tool did not give does not make
 * the GPU unhealthy. An unparsable reading always does, since nothing about it is known.
 *
 * @example
 * gpuHealth({ index: 0, eccUncorrectedVolatile: 2 }, DEFAULT_THRESHOLDS)
 * // { healthy: false, reasons: ['2 uncorrectable ECC errors since the driver loaded'], checks: ['ecc'] }
 */
export function gpuHealth(gpu: GpuReading, thresholds: HealthThresholds): HealthVerdict {
  if (gpu.unparsable !== undefined) {
    return {
      healthy: false,
      reasons: [`its reading could not be parsed: ${gpu.unparsable}`],
      checks: ['unparsable'],
    };
  }
  const reasons: string[] = [];
  const checks: HealthCheck[] = [];
  const fail = (check: HealthCheck, reason: string) => {
    checks.push(check);
    reasons.push(reason);
  };
  if (gpu.eccUncorrectedVolatile !== undefined && gpu.eccUncorrectedVolatile > 0) {
    const n = gpu.eccUncorrectedVolatile;
    fail('ecc', `${n} uncorrectable ECC error${n === 1 ? '' : 's'} since the driver loaded`);
  }
  if (gpu.remappedRowsFailure === true)
    fail('row-remap-failure', 'row remapping failed (no spare rows left)');
  if (gpu.remappedRowsPending === true)
    fail('row-remap-pending', 'a row remap is pending (needs a GPU reset)');
  if (gpu.retiredPagesPending === true)
    fail('page-retirement-pending', 'a page retirement is pending (needs a GPU reset)');
  const critical = (gpu.xids ?? []).filter((xid) => thresholds.criticalXids.includes(xid));
  if (critical.length > 0) fail('xid', `critical XID ${critical.join(', ')}`);
  if (gpu.temperatureC !== undefined && gpu.temperatureC >= thresholds.maxTemperatureC) {
    fail('hot', `runs hot: ${gpu.temperatureC} °C (limit ${thresholds.maxTemperatureC} °C)`);
  }
  if (
    gpu.powerLimitW !== undefined &&
    gpu.defaultPowerLimitW !== undefined &&
    gpu.defaultPowerLimitW > 0 &&
    gpu.powerLimitW < gpu.defaultPowerLimitW * thresholds.minPowerLimitFraction
  ) {
    fail(
      'power-capped',
      `power-capped: limit ${gpu.powerLimitW} W of its default ${gpu.defaultPowerLimitW} W`,
    );
  }
  const forced = (gpu.clockEventReasons ?? []).filter((reason) =>
    FORCED_SLOWDOWNS.includes(reason),
  );
  if (forced.length > 0) fail('slowdown', `clocks held down: ${forced.join(', ')}`);
  return reasons.length === 0 ? { healthy: true } : { healthy: false, reasons, checks };
}
