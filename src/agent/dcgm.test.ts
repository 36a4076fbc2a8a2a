import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dcgmReading, readDcgm } from './dcgm.js';
import { AgentReadError } from './errors.js';
import { parsePrometheusText } from './prometheus-text.js';

const DCGM = readFileSync(new URL('./fixtures/dcgm-exporter-h100.prom', import.meta.url), 'utf8');
const URL_ = 'http://127.0.0.1:9400/metrics';
const GPU0 =
  'gpu="0",UUID="GPU-aaa",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3"';

function reading(text: string): ReturnType<typeof dcgmReading> {
  return dcgmReading(parsePrometheusText(text));
}

describe('dcgmReading', () => {
  it('reads the two H100s of the exporter fixture', () => {
    expect(reading(DCGM)).toEqual({
      source: 'dcgm',
      driverVersion: '580.159.04',
      gpus: [
        {
          index: 0,
          uuid: 'GPU-8a3f0c52-6d1e-4b7a-9c21-5e0f3b7d9a14',
          name: 'NVIDIA H100 80GB HBM3',
          busId: '00000000:18:00.0',
          temperatureC: 41,
          powerDrawW: 312.457,
          powerLimitW: 700,
          defaultPowerLimitW: 700,
          eccUncorrectedVolatile: 0,
          remappedRowsPending: false,
          remappedRowsFailure: false,
          retiredPagesPending: false,
          clockEventReasons: [],
          memoryMiB: 81559,
          xids: [],
        },
        {
          index: 1,
          uuid: 'GPU-c71e2b9d-0f43-4e8a-b6d5-2a9c8e1f7b30',
          name: 'NVIDIA H100 80GB HBM3',
          busId: '00000000:2A:00.0',
          temperatureC: 36,
          powerDrawW: 71.318,
          powerLimitW: 700,
          defaultPowerLimitW: 700,
          eccUncorrectedVolatile: 2,
          remappedRowsPending: true,
          remappedRowsFailure: false,
          retiredPagesPending: false,
          clockEventReasons: ['gpu_idle'],
          memoryMiB: 81559,
          xids: [79],
        },
      ],
    });
  });

  it('leaves absent what the exporter does not export (the default counters have no ECC)', () => {
    const [gpu] = reading(
      `# TYPE DCGM_FI_DEV_GPU_TEMP gauge\nDCGM_FI_DEV_GPU_TEMP{${GPU0}} 40\n`,
    ).gpus;
    expect(gpu).toEqual({
      index: 0,
      uuid: 'GPU-aaa',
      name: 'NVIDIA H100 80GB HBM3',
      busId: '00000000:18:00.0',
      temperatureC: 40,
    });
  });

  it("drops DCGM's blank sentinels, as older exporters printed them", () => {
    const text = [
      `DCGM_FI_DEV_GPU_TEMP{${GPU0}} 9223372036854775794`,
      `DCGM_FI_DEV_POWER_USAGE{${GPU0}} 140737488355330.000000`,
      `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{${GPU0}} 2147483634`,
      `DCGM_FI_DEV_XID_ERRORS{${GPU0}} 9223372036854775792`,
    ].join('\n');
    const [gpu] = reading(text).gpus;
    expect(gpu).not.toHaveProperty('temperatureC');
    expect(gpu).not.toHaveProperty('powerDrawW');
    expect(gpu).not.toHaveProperty('eccUncorrectedVolatile');
    expect(gpu).not.toHaveProperty('xids');
  });

  it('reads the DCGM 4 field names and the old label namespace', () => {
    const labels = 'gpu="3",uuid="GPU-old",device="nvidia3",modelName="NVIDIA H100 80GB HBM3"';
    const text = [
      `DCGM_FI_DEV_GPU_TEMP_CELSIUS{${labels}} 55`,
      `DCGM_FI_DEV_BOARD_POWER_WATTS{${labels}} 600.5`,
      `DCGM_FI_DEV_XID_ERROR{${labels}} 48`,
      `DCGM_FI_DEV_ROW_REMAP_FAILED{${labels}} 1`,
      `DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{${labels}} 68`,
      `DCGM_FI_DEV_FB_TOTAL{${labels}} 81559`,
      `DCGM_FI_DEV_BOARD_POWER_LIMIT_ENFORCED_WATTS{${labels}} 650`,
    ].join('\n');
    expect(reading(text).gpus[0]).toEqual({
      index: 3,
      uuid: 'GPU-old',
      name: 'NVIDIA H100 80GB HBM3',
      temperatureC: 55,
      powerDrawW: 600.5,
      xids: [48],
      remappedRowsFailure: true,
      clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'],
      memoryMiB: 81559,
      powerLimitW: 650,
    });
  });

  it("adds the XIDs of the exporter's own count, ascending and once each", () => {
    const text = [
      `DCGM_FI_DEV_XID_ERRORS{${GPU0}} 79`,
      `DCGM_EXP_XID_ERRORS_COUNT{${GPU0},window_size_in_ms="300000",xid="31"} 2`,
      `DCGM_EXP_XID_ERRORS_COUNT{${GPU0},window_size_in_ms="300000",xid="79"} 1`,
      `DCGM_EXP_XID_ERRORS_COUNT{${GPU0},window_size_in_ms="300000",xid="13"} 0`,
    ].join('\n');
    expect(reading(text).gpus[0]?.xids).toEqual([31, 79]);
  });

  it('prefers the whole-GPU sample to a MIG instance', () => {
    const text = [
      `DCGM_FI_DEV_GPU_TEMP{${GPU0},GPU_I_PROFILE="1g.10gb",GPU_I_ID="9"} 1`,
      `DCGM_FI_DEV_GPU_TEMP{${GPU0}} 44`,
    ].join('\n');
    expect(reading(text).gpus[0]?.temperatureC).toBe(44);
  });

  it('leaves memory absent when free + used lacks the reserved part', () => {
    const text = [`DCGM_FI_DEV_FB_FREE{${GPU0}} 81079`, `DCGM_FI_DEV_FB_USED{${GPU0}} 0`].join(
      '\n',
    );
    expect(reading(text).gpus[0]).not.toHaveProperty('memoryMiB');
  });

  it('warns of a gpu label that is no index, and refuses a text with no GPU', () => {
    const text = `DCGM_FI_DEV_GPU_TEMP{gpu="x"} 40\nDCGM_FI_DEV_GPU_TEMP{${GPU0}} 41\n`;
    expect(reading(text).warnings).toEqual([
      "DCGM_FI_DEV_GPU_TEMP: gpu label 'x' is not a GPU index",
    ]);
    expect(() => reading('# HELP up x\nup 1\n')).toThrow(AgentReadError);
    expect(() => reading('')).toThrow('the DCGM exporter listed no GPUs');
  });
});

describe('readDcgm', () => {
  it('fetches and reads the metrics', async () => {
    const urls: string[] = [];
    const result = await readDcgm((url) => {
      urls.push(url);
      return Promise.resolve(DCGM);
    }, URL_);
    expect(urls).toEqual([URL_]);
    expect(result.gpus.map((gpu) => gpu.xids)).toEqual([[], [79]]);
  });

  it('says when the exporter cannot be reached', async () => {
    const refused = (): Promise<string> =>
      Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED 127.0.0.1:9400'));
    const result = readDcgm(refused, URL_);
    await expect(result).rejects.toThrow(AgentReadError);
    await expect(result).rejects.toThrow(
      `cannot reach the DCGM exporter at ${URL_}: fetch failed: connect ECONNREFUSED 127.0.0.1:9400`,
    );
  });

  it('says when the text is unreadable or lists no GPU', async () => {
    await expect(
      readDcgm(() => Promise.resolve('<html>502 Bad Gateway</html>'), URL_),
    ).rejects.toThrow(
      `the DCGM exporter at ${URL_} sent unreadable metrics: line 1: expected a metric name, found '<'`,
    );
    await expect(readDcgm(() => Promise.resolve(''), URL_)).rejects.toThrow(
      new AgentReadError(`the DCGM exporter at ${URL_} listed no GPUs`),
    );
  });
});
