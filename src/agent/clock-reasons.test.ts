import { describe, expect, it } from 'vitest';
import { CLOCK_EVENT_REASONS } from '../core/fleet/readings.js';
import { asClockEventReason, reasonsFromMask, sortReasons } from './clock-reasons.js';

describe('reasonsFromMask', () => {
  it('names each set bit, in CLOCK_EVENT_REASONS order', () => {
    expect(reasonsFromMask(0x1n)).toEqual(['gpu_idle']);
    expect(reasonsFromMask(0x44n)).toEqual(['sw_power_cap', 'hw_thermal_slowdown']);
    expect(reasonsFromMask(0x1ffn)).toEqual([...CLOCK_EVENT_REASONS]);
  });

  it('gives no reasons for 0 and drops bits it has no name for', () => {
    expect(reasonsFromMask(0n)).toEqual([]);
    expect(reasonsFromMask(0x200n | 0x8n)).toEqual(['hw_slowdown']);
  });
});

describe('sortReasons and asClockEventReason', () => {
  it('sorts and deduplicates', () => {
    expect(sortReasons(['hw_slowdown', 'gpu_idle', 'hw_slowdown'])).toEqual([
      'gpu_idle',
      'hw_slowdown',
    ]);
  });

  it('knows the reason names and nothing else', () => {
    expect(asClockEventReason('sync_boost')).toBe('sync_boost');
    expect(asClockEventReason('unknown')).toBeUndefined();
  });
});
