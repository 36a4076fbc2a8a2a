import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentReadError } from './errors.js';
import type { Exec } from './nvidia-smi.js';
import { readNvidiaSmi } from './nvidia-smi.js';
import { LEGACY_QUERY_FIELDS, QUERY_FIELDS } from './nvidia-smi-csv.js';

const H100_XML = readFileSync(
  new URL('./fixtures/nvidia-smi-h100/nvidia-smi-q.xml', import.meta.url),
  'utf8',
);
const UUID = 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac';
// The agent's query on the fixture's host: its values as the real query-gpu.csv gives them.
const H100_LINE = `0, ${UUID}, NVIDIA H100 80GB HBM3, 00000000:00:06.0, 81559, 39, 92.07, 700.00, 0, 0x0000000000000001\n`;

const QUERY = `--query-gpu=${QUERY_FIELDS.join(',')} --format=csv,noheader,nounits`;
const LEGACY_QUERY = `--query-gpu=${LEGACY_QUERY_FIELDS.join(',')} --format=csv,noheader,nounits`;
const XML = '-q -x';

/** What child_process.execFile rejects with when the program exits non-zero. */
function exited(code: number, stdout: string, stderr = ''): Error {
  return Object.assign(new Error(`Command failed: nvidia-smi\n${stderr}`), {
    code,
    killed: false,
    signal: null,
    stdout,
    stderr,
  });
}

function enoent(): Error {
  return Object.assign(new Error('spawn nvidia-smi ENOENT'), {
    errno: -2,
    code: 'ENOENT',
    syscall: 'spawn nvidia-smi',
    path: 'nvidia-smi',
  });
}

/** An Exec answering by the joined arguments, and the calls it got. */
function fakeExec(answers: Readonly<Record<string, string | Error>>): {
  exec: Exec;
  calls: string[];
} {
  const calls: string[] = [];
  const exec: Exec = (file, args) => {
    expect(file).toBe('nvidia-smi');
    const key = args.join(' ');
    calls.push(key);
    const answer = answers[key];
    if (answer === undefined) return Promise.reject(new Error(`unexpected call: ${key}`));
    return typeof answer === 'string' ? Promise.resolve(answer) : Promise.reject(answer);
  };
  return { exec, calls };
}

describe('readNvidiaSmi', () => {
  it('reads the H100: the CSV numbers with the XML-only facts merged by bus id', async () => {
    const { exec, calls } = fakeExec({ [QUERY]: H100_LINE, [XML]: H100_XML });
    expect(await readNvidiaSmi(exec)).toEqual({
      source: 'nvidia-smi',
      driverVersion: '580.159.04',
      cudaVersion: '13.0',
      gpus: [
        {
          index: 0,
          uuid: UUID,
          name: 'NVIDIA H100 80GB HBM3',
          busId: '00000000:00:06.0',
          memoryMiB: 81559,
          temperatureC: 39,
          powerDrawW: 92.07,
          powerLimitW: 700,
          defaultPowerLimitW: 700,
          eccUncorrectedVolatile: 0,
          clockEventReasons: ['gpu_idle'],
          remappedRowsPending: false,
          remappedRowsFailure: false,
        },
      ],
    });
    expect(calls).toEqual([QUERY, XML]);
  });

  it('takes from the XML what the CSV gave as N/A, and keeps the CSV value otherwise', async () => {
    const noMask = H100_LINE.replace('0x0000000000000001', '[N/A]');
    const fromXml = await readNvidiaSmi(fakeExec({ [QUERY]: noMask, [XML]: H100_XML }).exec);
    expect(fromXml.gpus[0]?.clockEventReasons).toEqual(['gpu_idle']);

    const capped = H100_LINE.replace('0x0000000000000001', '0x0000000000000004');
    const fromCsv = await readNvidiaSmi(fakeExec({ [QUERY]: capped, [XML]: H100_XML }).exec);
    expect(fromCsv.gpus[0]?.clockEventReasons).toEqual(['sw_power_cap']);
  });

  it('asks again with clocks_throttle_reasons when the driver rejects the new field', async () => {
    const rejected = exited(
      2,
      'Field "clocks_event_reasons.active" is not a valid field to query.\n\n',
    );
    const { exec, calls } = fakeExec({
      [QUERY]: rejected,
      [LEGACY_QUERY]: H100_LINE,
      [XML]: H100_XML,
    });
    const reading = await readNvidiaSmi(exec);
    expect(calls).toEqual([QUERY, LEGACY_QUERY, XML]);
    expect(reading.gpus[0]?.clockEventReasons).toEqual(['gpu_idle']);
    expect(reading.gpus[0]?.remappedRowsPending).toBe(false);
  });

  it('asks again also when the rejection comes with exit status 0', async () => {
    const said = 'Field "clocks_event_reasons.active" is not a valid field to query.\n\n';
    const { exec, calls } = fakeExec({ [QUERY]: said, [LEGACY_QUERY]: H100_LINE, [XML]: H100_XML });
    expect((await readNvidiaSmi(exec)).gpus).toHaveLength(1);
    expect(calls).toEqual([QUERY, LEGACY_QUERY, XML]);
  });

  it('says nvidia-smi is not on PATH, and reads nothing more', async () => {
    const { exec, calls } = fakeExec({ [QUERY]: enoent() });
    const reading = readNvidiaSmi(exec);
    await expect(reading).rejects.toThrow(AgentReadError);
    await expect(reading).rejects.toThrow('nvidia-smi not found on PATH');
    expect(calls).toEqual([QUERY]);
  });

  it('gives the exit status and the first line nvidia-smi printed', async () => {
    const driverGone = exited(
      9,
      '',
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
    );
    await expect(readNvidiaSmi(fakeExec({ [QUERY]: driverGone }).exec)).rejects.toThrow(
      "nvidia-smi failed (exit 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    );
  });

  it('fails when the legacy query fails too', async () => {
    const rejected = exited(
      2,
      'Field "clocks_event_reasons.active" is not a valid field to query.\n',
    );
    const { exec } = fakeExec({
      [QUERY]: rejected,
      [LEGACY_QUERY]: exited(15, '', 'GPU is lost\n'),
    });
    await expect(readNvidiaSmi(exec)).rejects.toThrow('nvidia-smi failed (exit 15): GPU is lost');
  });

  it('never reads an empty list as a node of 0 GPUs', async () => {
    const { exec, calls } = fakeExec({ [QUERY]: '\n' });
    await expect(readNvidiaSmi(exec)).rejects.toThrow(
      new AgentReadError('nvidia-smi listed no GPUs'),
    );
    expect(calls).toEqual([QUERY]);
  });

  it('sends the CSV readings with a warning when -q -x fails', async () => {
    const reading = await readNvidiaSmi(
      fakeExec({ [QUERY]: H100_LINE, [XML]: exited(3, '', 'Not Supported\n') }).exec,
    );
    expect(reading.gpus[0]).toMatchObject({
      index: 0,
      memoryMiB: 81559,
      clockEventReasons: ['gpu_idle'],
    });
    expect(reading.gpus[0]).not.toHaveProperty('remappedRowsPending');
    expect(reading).not.toHaveProperty('driverVersion');
    expect(reading.warnings).toEqual([
      'nvidia-smi -q -x failed (exit 3): Not Supported; remapped rows, page retirement, default power limit and driver version are unknown',
    ]);
  });

  it('sends the CSV readings with a warning when -q -x is cut short', async () => {
    const cut = H100_XML.slice(0, H100_XML.indexOf('</pci>'));
    const reading = await readNvidiaSmi(fakeExec({ [QUERY]: H100_LINE, [XML]: cut }).exec);
    expect(reading.gpus).toHaveLength(1);
    expect(reading.warnings).toEqual([
      'nvidia-smi -q -x gave unreadable output (XML line 106: the document ends inside <pci> opened on line 74); remapped rows, page retirement, default power limit and driver version are unknown',
    ]);
  });

  it('sends an unparsable line as such, unmerged, beside the good ones', async () => {
    const truncated = `${H100_LINE}1, GPU-c71e2b9d, NVIDIA H1`;
    const reading = await readNvidiaSmi(fakeExec({ [QUERY]: truncated, [XML]: H100_XML }).exec);
    expect(reading.gpus).toHaveLength(2);
    expect(reading.gpus[0]?.remappedRowsPending).toBe(false);
    expect(reading.gpus[1]).toEqual({
      index: 1,
      unparsable: 'expected 10 fields, got 3 (truncated or malformed line)',
    });
    expect(reading.warnings).toBeUndefined();
  });

  it('matches bus ids whatever the width of the PCI domain, else by uuid', async () => {
    const shortDomain = H100_XML.replace('<gpu id="00000000:00:06.0">', '<gpu id="0000:00:06.0">');
    const byBus = await readNvidiaSmi(fakeExec({ [QUERY]: H100_LINE, [XML]: shortDomain }).exec);
    expect(byBus.gpus[0]?.defaultPowerLimitW).toBe(700);

    const noBus = H100_LINE.replace('00000000:00:06.0', '[N/A]');
    const byUuid = await readNvidiaSmi(fakeExec({ [QUERY]: noBus, [XML]: H100_XML }).exec);
    expect(byUuid.gpus[0]?.defaultPowerLimitW).toBe(700);
    expect(byUuid.gpus[0]?.busId).toBe('00000000:00:06.0');
  });

  it('warns when the two outputs do not list the same GPUs', async () => {
    const other = H100_LINE.replace('00000000:00:06.0', '00000000:18:00.0').replace(
      UUID,
      'GPU-other',
    );
    const reading = await readNvidiaSmi(fakeExec({ [QUERY]: other, [XML]: H100_XML }).exec);
    expect(reading.gpus[0]).not.toHaveProperty('defaultPowerLimitW');
    expect(reading.warnings).toEqual([
      'GPU 0 is missing from nvidia-smi -q -x',
      'GPU 00000000:00:06.0 is in nvidia-smi -q -x but not in the query',
    ]);
  });
});
