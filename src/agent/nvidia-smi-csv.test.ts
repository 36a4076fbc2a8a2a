import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEGACY_QUERY_FIELDS, QUERY_FIELDS, parseQueryGpuCsv } from './nvidia-smi-csv.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/nvidia-smi-h100/${name}`, import.meta.url), 'utf8');
}

const UUID = 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac';

describe('parseQueryGpuCsv on the real H100 output', () => {
  it('reads the noheader,nounits query', () => {
    const fields = ['index', 'uuid', 'name', 'memory.total', 'power.limit'];
    expect(parseQueryGpuCsv(fixture('query-gpu-noheader.csv'), fields)).toEqual([
      { index: 0, uuid: UUID, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, powerLimitW: 700 },
    ]);
  });

  it('reads the csv form with its header and units, ignoring fields it has no place for', () => {
    // The fields of the command in the fixture's README, in its order.
    const fields = [
      'index',
      'uuid',
      'name',
      'serial',
      'pci.bus_id',
      'memory.total',
      'memory.used',
      'power.limit',
      'power.draw',
      'temperature.gpu',
      'utilization.gpu',
      'driver_version',
      'compute_cap',
      'ecc.errors.uncorrected.volatile.total',
    ];
    expect(parseQueryGpuCsv(fixture('query-gpu.csv'), fields)).toEqual([
      {
        index: 0,
        uuid: UUID,
        name: 'NVIDIA H100 80GB HBM3',
        busId: '00000000:00:06.0',
        memoryMiB: 81559,
        powerLimitW: 700,
        powerDrawW: 92.07,
        temperatureC: 39,
        eccUncorrectedVolatile: 0,
      },
    ]);
  });
});

// Lines as `nvidia-smi --query-gpu=<QUERY_FIELDS> --format=csv,noheader,nounits` prints them.
const HEALTHY =
  '0, GPU-4337529d-7956-3dfb-5b95-828a478c72ac, NVIDIA H100 80GB HBM3, 00000000:18:00.0, 81559, 41, 312.45, 700.00, 0, 0x0000000000000000';
const NOT_AVAILABLE =
  '1, GPU-c71e2b9d-0f43-4e8a-b6d5-2a9c8e1f7b30, NVIDIA H100 80GB HBM3, 00000000:2A:00.0, 81559, [N/A], [Not Supported], 700.00, [N/A], [Unknown Error]';
const ECC_ERRORS =
  '2, GPU-0b6c8e1a-3f7d-4c2e-9a15-d84e6f2b7c90, NVIDIA H100 80GB HBM3, 00000000:3B:00.0, 81559, 87, 655.10, 700.00, 2, 0x0000000000000045';

describe('parseQueryGpuCsv on the agent query', () => {
  it('reads every field of a healthy GPU; a zero mask is known to be no reasons', () => {
    expect(parseQueryGpuCsv(`${HEALTHY}\n`, QUERY_FIELDS)).toEqual([
      {
        index: 0,
        uuid: UUID,
        name: 'NVIDIA H100 80GB HBM3',
        busId: '00000000:18:00.0',
        memoryMiB: 81559,
        temperatureC: 41,
        powerDrawW: 312.45,
        powerLimitW: 700,
        eccUncorrectedVolatile: 0,
        clockEventReasons: [],
      },
    ]);
  });

  it('leaves [N/A], [Not Supported] and [Unknown Error] absent, never 0', () => {
    const [gpu] = parseQueryGpuCsv(NOT_AVAILABLE, QUERY_FIELDS);
    expect(gpu).toEqual({
      index: 1,
      uuid: 'GPU-c71e2b9d-0f43-4e8a-b6d5-2a9c8e1f7b30',
      name: 'NVIDIA H100 80GB HBM3',
      busId: '00000000:2A:00.0',
      memoryMiB: 81559,
      powerLimitW: 700,
    });
    expect(gpu).not.toHaveProperty('eccUncorrectedVolatile');
    expect(gpu).not.toHaveProperty('clockEventReasons');
  });

  it('reads an ECC error count and the reasons of a hex mask, sorted', () => {
    const [gpu] = parseQueryGpuCsv(ECC_ERRORS, QUERY_FIELDS);
    expect(gpu?.eccUncorrectedVolatile).toBe(2);
    expect(gpu?.clockEventReasons).toEqual(['gpu_idle', 'sw_power_cap', 'hw_thermal_slowdown']);
  });

  it('reads the legacy clocks_throttle_reasons field alike', () => {
    expect(LEGACY_QUERY_FIELDS.at(-1)).toBe('clocks_throttle_reasons.active');
    expect(LEGACY_QUERY_FIELDS.slice(0, -1)).toEqual(QUERY_FIELDS.slice(0, -1));
    const [gpu] = parseQueryGpuCsv(ECC_ERRORS, LEGACY_QUERY_FIELDS);
    expect(gpu?.clockEventReasons).toEqual(['gpu_idle', 'sw_power_cap', 'hw_thermal_slowdown']);
  });

  it('reports a short line as unparsable and lets the others through', () => {
    const short =
      '3, GPU-5e2d, NVIDIA H100 80GB HBM3, 00000000:5D:00.0, 81559, 40, 80.00, 700.00, 0';
    const gpus = parseQueryGpuCsv([HEALTHY, short, ECC_ERRORS].join('\n'), QUERY_FIELDS);
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 3, 2]);
    expect(gpus[1]).toEqual({
      index: 3,
      unparsable: 'expected 10 fields, got 9 (truncated or malformed line)',
    });
    expect(gpus[0]?.unparsable).toBeUndefined();
    expect(gpus[2]?.eccUncorrectedVolatile).toBe(2);
  });

  it('reports a truncated last line as unparsable', () => {
    const gpus = parseQueryGpuCsv(
      `${HEALTHY}\n${ECC_ERRORS}\n3, GPU-5e2d, NVIDIA H1`,
      QUERY_FIELDS,
    );
    expect(gpus).toHaveLength(3);
    expect(gpus[2]).toEqual({
      index: 3,
      unparsable: 'expected 10 fields, got 3 (truncated or malformed line)',
    });
  });

  it('uses the line position when the index cannot be read', () => {
    const badIndex = HEALTHY.replace(/^0,/, 'x,');
    expect(parseQueryGpuCsv(`${NOT_AVAILABLE}\n${badIndex}`, QUERY_FIELDS)[1]).toEqual({
      index: 1,
      unparsable: "index: 'x' is not a GPU index",
    });
    expect(parseQueryGpuCsv('garbage', QUERY_FIELDS)).toEqual([
      { index: 0, unparsable: 'expected 10 fields, got 1 (truncated or malformed line)' },
    ]);
  });

  it('reports a number or a mask it cannot read', () => {
    const hot = HEALTHY.replace(', 41,', ', hot,');
    expect(parseQueryGpuCsv(hot, QUERY_FIELDS)).toEqual([
      { index: 0, unparsable: "temperature.gpu: 'hot' is not a number" },
    ]);
    const mask = HEALTHY.replace('0x0000000000000000', 'Active');
    expect(parseQueryGpuCsv(mask, QUERY_FIELDS)[0]?.unparsable).toBe(
      "clocks_event_reasons.active: 'Active' is not a hex bitmask",
    );
  });

  it('skips blank lines and carriage returns, and reads nothing from nothing', () => {
    expect(parseQueryGpuCsv(`\r\n${HEALTHY}\r\n\r\n`, QUERY_FIELDS)).toHaveLength(1);
    expect(parseQueryGpuCsv('', QUERY_FIELDS)).toEqual([]);
  });
});
