import type { ClockEventReason } from '../core/fleet/readings.js';
import { CLOCK_EVENT_BITS, CLOCK_EVENT_REASONS } from '../core/fleet/readings.js';

/**
 * The reasons set in a clock event bitmask (nvidia-smi's `clocks_event_reasons.active`, DCGM's
 * `DCGM_FI_DEV_CLOCKS_EVENT_REASONS`; both use NVML's bits), in CLOCK_EVENT_REASONS order.
 * Bits we have no name for are dropped: NVML adds reasons over time, and an agent that refused
 * a reading over a new bit would lose every other fact on the GPU.
 *
 * @example
 * reasonsFromMask(0x41n) // → ['gpu_idle', 'hw_thermal_slowdown']
 */
export function reasonsFromMask(mask: bigint): ClockEventReason[] {
  return CLOCK_EVENT_REASONS.filter((reason) => (mask & BigInt(CLOCK_EVENT_BITS[reason])) !== 0n);
}

/** Reasons named in any order, deduplicated and sorted as CLOCK_EVENT_REASONS. */
export function sortReasons(reasons: Iterable<ClockEventReason>): ClockEventReason[] {
  const set = new Set(reasons);
  return CLOCK_EVENT_REASONS.filter((reason) => set.has(reason));
}

/** A reason's name, if `name` is one (`gpu_idle`, `sw_power_cap`, …). */
export function asClockEventReason(name: string): ClockEventReason | undefined {
  return CLOCK_EVENT_REASONS.find((reason) => reason === name);
}
