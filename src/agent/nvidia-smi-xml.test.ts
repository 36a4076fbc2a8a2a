import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';

const H100_XML = readFileSync(
  new URL('./fixtures/nvidia-smi-h100/nvidia-smi-q.xml', import.meta.url),
  'utf8',
);

// The parts of an R470 document (a V100) that the reader looks at, as such drivers print them:
// clocks_throttle_reasons, power_readings, retired pages pending, no row remapper.
const OLD_DRIVER_XML = `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v11.dtd">
<nvidia_smi_log>
	<timestamp>Mon Mar  7 10:02:11 2022</timestamp>
	<driver_version>470.82.01</driver_version>
	<cuda_version>11.4</cuda_version>
	<attached_gpus>2</attached_gpus>
	<gpu id="00000000:1A:00.0">
		<product_name>Tesla V100-SXM2-32GB</product_name>
		<uuid>GPU-2f1c9a7e-5b3d-4e8f-a6c1-0d9e8b7a6f54</uuid>
		<clocks_throttle_reasons>
			<clocks_throttle_reason_gpu_idle>Not Active</clocks_throttle_reason_gpu_idle>
			<clocks_throttle_reason_applications_clocks_setting>Not Active</clocks_throttle_reason_applications_clocks_setting>
			<clocks_throttle_reason_sw_power_cap>Active</clocks_throttle_reason_sw_power_cap>
			<clocks_throttle_reason_hw_slowdown>Active</clocks_throttle_reason_hw_slowdown>
			<clocks_throttle_reason_hw_thermal_slowdown>N/A</clocks_throttle_reason_hw_thermal_slowdown>
			<clocks_throttle_reason_sync_boost>Not Active</clocks_throttle_reason_sync_boost>
		</clocks_throttle_reasons>
		<retired_pages>
			<multiple_single_bit_retirement>
				<retired_count>0</retired_count>
				<retired_pagelist>
				</retired_pagelist>
			</multiple_single_bit_retirement>
			<double_bit_retirement>
				<retired_count>1</retired_count>
				<retired_pagelist>
				</retired_pagelist>
			</double_bit_retirement>
			<pending_blacklist>No</pending_blacklist>
			<pending_retirement>Yes</pending_retirement>
		</retired_pages>
		<remapped_rows>N/A</remapped_rows>
		<power_readings>
			<power_state>P0</power_state>
			<power_management>Supported</power_management>
			<power_draw>256.12 W</power_draw>
			<power_limit>300.00 W</power_limit>
			<default_power_limit>300.00 W</default_power_limit>
			<enforced_power_limit>300.00 W</enforced_power_limit>
		</power_readings>
	</gpu>
	<gpu id="00000000:1B:00.0">
		<uuid>GPU-7d3e1f0a-9c8b-4a2d-b5e6-1f0e9d8c7b6a</uuid>
		<retired_pages>
			<pending_blacklist>Yes</pending_blacklist>
		</retired_pages>
		<power_readings>
			<default_power_limit>N/A</default_power_limit>
		</power_readings>
	</gpu>
</nvidia_smi_log>
`;

describe('parseNvidiaSmiXml', () => {
  it('reads the real H100 document', () => {
    expect(parseNvidiaSmiXml(H100_XML)).toEqual({
      driverVersion: '580.159.04',
      cudaVersion: '13.0',
      gpus: [
        {
          busId: '00000000:00:06.0',
          uuid: 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac',
          remappedRowsPending: false,
          remappedRowsFailure: false,
          defaultPowerLimitW: 700,
          clockEventReasons: ['gpu_idle'],
        },
      ],
    });
  });

  it('leaves page retirement absent where the H100 says N/A (it remaps rows instead)', () => {
    expect(parseNvidiaSmiXml(H100_XML).gpus[0]).not.toHaveProperty('retiredPagesPending');
  });

  it('reads a pending row remap and a remapper failure', () => {
    const pending = H100_XML.replace(
      '<remapped_row_pending>No</remapped_row_pending>',
      '<remapped_row_pending>Yes</remapped_row_pending>',
    ).replace('<remapped_row_failure>No', '<remapped_row_failure>Yes');
    const [gpu] = parseNvidiaSmiXml(pending).gpus;
    expect(gpu?.remappedRowsPending).toBe(true);
    expect(gpu?.remappedRowsFailure).toBe(true);
  });

  it('reads an old driver: clocks_throttle_reasons, power_readings, pages pending retirement', () => {
    expect(parseNvidiaSmiXml(OLD_DRIVER_XML)).toEqual({
      driverVersion: '470.82.01',
      cudaVersion: '11.4',
      gpus: [
        {
          busId: '00000000:1A:00.0',
          uuid: 'GPU-2f1c9a7e-5b3d-4e8f-a6c1-0d9e8b7a6f54',
          retiredPagesPending: true,
          defaultPowerLimitW: 300,
          clockEventReasons: ['sw_power_cap', 'hw_slowdown'],
        },
        {
          // pending_blacklist is the older name for a pending retirement.
          busId: '00000000:1B:00.0',
          uuid: 'GPU-7d3e1f0a-9c8b-4a2d-b5e6-1f0e9d8c7b6a',
          retiredPagesPending: true,
        },
      ],
    });
  });

  it('says no page retirement is pending when both flags say No', () => {
    const none = OLD_DRIVER_XML.replace('<pending_retirement>Yes', '<pending_retirement>No');
    expect(parseNvidiaSmiXml(none).gpus[0]?.retiredPagesPending).toBe(false);
  });

  it('takes the bus id from <pci> when the gpu element has no id', () => {
    const xml =
      '<nvidia_smi_log><driver_version>N/A</driver_version><gpu><pci><pci_bus_id>00000000:3B:00.0</pci_bus_id></pci></gpu></nvidia_smi_log>';
    expect(parseNvidiaSmiXml(xml)).toEqual({ gpus: [{ busId: '00000000:3B:00.0' }] });
  });

  it('refuses a gpu it cannot place, another tool’s document, and a cut document', () => {
    expect(() => parseNvidiaSmiXml('<nvidia_smi_log>\n<gpu></gpu></nvidia_smi_log>')).toThrow(
      'XML line 2: a <gpu> without a bus id',
    );
    expect(() => parseNvidiaSmiXml('<html></html>')).toThrow(
      'expected <nvidia_smi_log> as the root element, found <html>',
    );
    expect(() => parseNvidiaSmiXml(H100_XML.slice(0, H100_XML.indexOf('</pci>')))).toThrow(
      /ends inside <pci> opened on line 74$/,
    );
  });
});
