import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, gpuHealth } from './health.js';
import { monthDelivered } from './deliveries.js';
import { DEFAULT_GPU_PARTS, acceleratorOfPart } from './parts.js';

const H100 = {
  index: 0,
  name: 'NVIDIA H100 80GB HBM3',
  temperatureC: 39,
  powerLimitW: 700,
  defaultPowerLimitW: 700,
  eccUncorrectedVolatile: 0,
  clockEventReasons: ['gpu_idle'] as const,
  remappedRowsPending: false,
};

describe('gpuHealth', () => {
  it('finds the real idle H100 healthy', () => {
    expect(gpuHealth(H100, DEFAULT_THRESHOLDS)).toEqual({ healthy: true });
  });

  it('does not hold what the tool did not say against a GPU', () => {
    expect(gpuHealth({ index: 3 }, DEFAULT_THRESHOLDS)).toEqual({ healthy: true });
  });

  it('gives every failed check with the value that tripped it, in a fixed order', () => {
    const verdict = gpuHealth(
      {
        ...H100,
        eccUncorrectedVolatile: 1,
        remappedRowsFailure: true,
        retiredPagesPending: true,
        xids: [13, 48, 79],
        temperatureC: 87,
        powerLimitW: 629,
        clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'],
      },
      DEFAULT_THRESHOLDS,
    );
    expect(verdict).toEqual({
      healthy: false,
      reasons: [
        '1 uncorrectable ECC error since the driver loaded',
        'row remapping failed (no spare rows left)',
        'a page retirement is pending (needs a GPU reset)',
        'critical XID 48, 79',
        'runs hot: 87 °C (limit 87 °C)',
        'power-capped: limit 629 W of its default 700 W',
        'clocks held down: hw_thermal_slowdown',
      ],
      checks: [
        'ecc',
        'row-remap-failure',
        'page-retirement-pending',
        'xid',
        'hot',
        'power-capped',
        'slowdown',
      ],
    });
  });

  it('treats a busy GPU at its own power limit, an application XID and 86 °C as healthy', () => {
    expect(
      gpuHealth(
        {
          ...H100,
          temperatureC: 86,
          powerLimitW: 630,
          xids: [13, 31, 43],
          clockEventReasons: ['sw_power_cap'],
        },
        DEFAULT_THRESHOLDS,
      ),
    ).toEqual({ healthy: true });
  });

  it('follows thresholds it is given', () => {
    const strict = { ...DEFAULT_THRESHOLDS, maxTemperatureC: 80, criticalXids: [13] };
    expect(gpuHealth({ ...H100, temperatureC: 80, xids: [13] }, strict)).toMatchObject({
      checks: ['xid', 'hot'],
    });
  });
});

describe('acceleratorOfPart', () => {
  it.each([
    ['NVIDIA H100 80GB HBM3', 'h100'],
    ['NVIDIA H100 NVL', 'h100'],
    ['nvidia gb200', 'gb200'],
    ['NVIDIA GB300', 'gb300'],
    ['NVIDIA B200', 'b200'],
  ])('maps %s to %s', (name, accelerator) => {
    expect(acceleratorOfPart(name, DEFAULT_GPU_PARTS)).toBe(accelerator);
  });

  it('knows nothing of a part no rule names', () => {
    expect(acceleratorOfPart('NVIDIA L4', DEFAULT_GPU_PARTS)).toBeUndefined();
    expect(acceleratorOfPart('NVIDIA L4', [{ prefix: 'NVIDIA L4', accelerator: 'l4' }])).toBe('l4');
  });
});

describe('monthDelivered', () => {
  it('is the median of the daily maxima, the lower middle value for an even count', () => {
    expect(monthDelivered([800, 1000, 960])).toBe(960);
    expect(monthDelivered([10, 40, 20, 30])).toBe(20);
    expect(monthDelivered([7])).toBe(7);
    expect(monthDelivered([])).toBeUndefined();
  });
});
