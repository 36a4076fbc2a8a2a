import type { ClockEventReason } from '../core/fleet/readings.js';
import { asClockEventReason, sortReasons } from './clock-reasons.js';
import { isNotAvailable, parseMeasure, parseYesNo } from './smi-values.js';
import type { XmlElement } from './xml.js';
import { childNamed, parseXml, textAt } from './xml.js';

/** What `nvidia-smi -q -x` says of one GPU that the CSV query cannot. */
export interface SmiXmlGpu {
  /** The `<gpu id="…">` attribute, the PCI bus id (`00000000:00:06.0`). */
  readonly busId: string;
  readonly uuid?: string;
  readonly remappedRowsPending?: boolean;
  readonly remappedRowsFailure?: boolean;
  readonly retiredPagesPending?: boolean;
  readonly defaultPowerLimitW?: number;
  readonly clockEventReasons?: readonly ClockEventReason[];
}

/** The facts of `nvidia-smi -q -x` the agent keeps. */
export interface SmiXmlReport {
  readonly driverVersion?: string;
  readonly cudaVersion?: string;
  readonly gpus: readonly SmiXmlGpu[];
}

type Draft = { -readonly [K in keyof SmiXmlGpu]?: SmiXmlGpu[K] };

/**
 * Reads the output of `nvidia-smi -q -x`. Values nvidia-smi gives as `N/A` are absent. Both
 * the current and the older element names are read: `clocks_event_reasons` or (before R535)
 * `clocks_throttle_reasons`; `gpu_power_readings` or (before R530) `power_readings`; page
 * retirement as `pending_retirement` or `pending_blacklist`.
 * Throws an Error for output that is not a whole nvidia-smi document (truncated, another tool's).
 *
 * @example
 * parseNvidiaSmiXml(xml).gpus[0]?.remappedRowsPending // → false on a healthy H100
 */
export function parseNvidiaSmiXml(text: string): SmiXmlReport {
  const root = parseXml(text);
  if (root.name !== 'nvidia_smi_log') {
    throw new Error(`expected <nvidia_smi_log> as the root element, found <${root.name}>`);
  }
  const driverVersion = known(textAt(root, 'driver_version'));
  const cudaVersion = known(textAt(root, 'cuda_version'));
  const gpus = root.children.filter((child) => child.name === 'gpu').map(readGpu);
  return {
    ...(driverVersion !== undefined && { driverVersion }),
    ...(cudaVersion !== undefined && { cudaVersion }),
    gpus,
  };
}

function readGpu(gpu: XmlElement): SmiXmlGpu {
  const busId = known(gpu.attributes.id) ?? known(textAt(gpu, 'pci', 'pci_bus_id'));
  if (busId === undefined) throw new Error(`XML line ${gpu.line}: a <gpu> without a bus id`);
  const draft: Draft = {};
  const uuid = known(textAt(gpu, 'uuid'));
  if (uuid !== undefined) draft.uuid = uuid;

  const remapPending = flag(textAt(gpu, 'remapped_rows', 'remapped_row_pending'));
  if (remapPending !== undefined) draft.remappedRowsPending = remapPending;
  const remapFailure = flag(textAt(gpu, 'remapped_rows', 'remapped_row_failure'));
  if (remapFailure !== undefined) draft.remappedRowsFailure = remapFailure;

  const retiredPending = retiredPagesPending(gpu);
  if (retiredPending !== undefined) draft.retiredPagesPending = retiredPending;

  const power = childNamed(gpu, 'gpu_power_readings') ?? childNamed(gpu, 'power_readings');
  const defaultLimit = power && measure(textAt(power, 'default_power_limit'));
  if (defaultLimit !== undefined) draft.defaultPowerLimitW = defaultLimit;

  const reasons = clockEventReasons(gpu);
  if (reasons !== undefined) draft.clockEventReasons = reasons;
  return { busId, ...draft };
}

/**
 * Pre-Ampere GPUs retire pages; `pending_blacklist` is the older drivers' name for a pending
 * retirement, and some drivers print both. Either one pending means pending.
 */
function retiredPagesPending(gpu: XmlElement): boolean | undefined {
  const flags = ['pending_retirement', 'pending_blacklist']
    .map((name) => flag(textAt(gpu, 'retired_pages', name)))
    .filter((value) => value !== undefined);
  if (flags.length === 0) return undefined;
  return flags.includes(true);
}

/** Active reasons from `<clocks_event_reason_X>Active</…>` children; absent if none is known. */
function clockEventReasons(gpu: XmlElement): ClockEventReason[] | undefined {
  const holders: readonly [string, string][] = [
    ['clocks_event_reasons', 'clocks_event_reason_'],
    ['clocks_throttle_reasons', 'clocks_throttle_reason_'],
  ];
  for (const [holder, prefix] of holders) {
    const element = childNamed(gpu, holder);
    if (!element) continue;
    const active: ClockEventReason[] = [];
    let known = 0;
    for (const child of element.children) {
      const reason = child.name.startsWith(prefix)
        ? asClockEventReason(child.name.slice(prefix.length))
        : undefined;
      const state = child.text.trim();
      if (reason === undefined || (state !== 'Active' && state !== 'Not Active')) continue;
      known += 1;
      if (state === 'Active') active.push(reason);
    }
    return known > 0 ? sortReasons(active) : undefined;
  }
  return undefined;
}

function known(text: string | undefined): string | undefined {
  return text === undefined || isNotAvailable(text) ? undefined : text.trim();
}

function flag(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : parseYesNo(text);
}

function measure(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseMeasure(text);
}
