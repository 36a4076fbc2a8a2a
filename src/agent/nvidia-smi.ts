import type { GpuReading, NodeReading } from '../core/fleet/readings.js';
import { AgentReadError, execFailureMessage, firstLine } from './errors.js';
import { LEGACY_QUERY_FIELDS, QUERY_FIELDS, parseQueryGpuCsv } from './nvidia-smi-csv.js';
import type { SmiXmlGpu, SmiXmlReport } from './nvidia-smi-xml.js';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';

/**
 * Runs a program and resolves its stdout; rejects as `child_process.execFile` does: an Error
 * with `code` 'ENOENT' when the program is missing, or the exit status as a number `code`
 * with `stdout` and `stderr` when it failed. The caller owns timeouts and the environment.
 */
export type Exec = (file: string, args: readonly string[]) => Promise<string>;

const TOOL = 'nvidia-smi';
/** How nvidia-smi says a driver does not know a query field. */
const REJECTED_FIELD = 'is not a valid field to query';

/**
 * One reading of this node through nvidia-smi: the CSV query for the live numbers, then
 * `-q -x` for what the CSV lacks (driver and CUDA version, remapped rows, page retirement,
 * default power limit), merged by bus id, else by uuid. Drivers older than R535 reject the
 * `clocks_event_reasons.active` field; the query is then asked again with the older name.
 *
 * Throws AgentReadError when nvidia-smi is missing, fails, or lists no GPUs: an empty list
 * would read as a node that lost all its GPUs. A failed or unreadable `-q -x` is not fatal:
 * the CSV readings go through with a warning, the XML-only facts absent.
 */
export async function readNvidiaSmi(exec: Exec): Promise<NodeReading> {
  const gpus = await readCsv(exec);
  const warnings: string[] = [];
  let report: SmiXmlReport | undefined;
  try {
    report = parseNvidiaSmiXml(await exec(TOOL, ['-q', '-x']));
  } catch (error) {
    const why = error instanceof Error && !isExecFailure(error) ? error.message : undefined;
    warnings.push(
      why === undefined
        ? `${execFailureMessage(`${TOOL} -q -x`, error)}; remapped rows, page retirement, default power limit and driver version are unknown`
        : `${TOOL} -q -x gave unreadable output (${why}); remapped rows, page retirement, default power limit and driver version are unknown`,
    );
  }
  const merged = report ? mergeXml(gpus, report.gpus, warnings) : gpus;
  return {
    source: 'nvidia-smi',
    ...(report?.driverVersion !== undefined && { driverVersion: report.driverVersion }),
    ...(report?.cudaVersion !== undefined && { cudaVersion: report.cudaVersion }),
    gpus: merged,
    ...(warnings.length > 0 && { warnings }),
  };
}

async function readCsv(exec: Exec): Promise<GpuReading[]> {
  let fields: readonly string[] = QUERY_FIELDS;
  let stdout = await query(exec, fields).catch((error: unknown) => {
    if (rejectsField(error, 'clocks_event_reasons.active')) return undefined;
    throw new AgentReadError(execFailureMessage(TOOL, error), { cause: error });
  });
  if (stdout === undefined) {
    fields = LEGACY_QUERY_FIELDS;
    stdout = await query(exec, fields).catch((error: unknown) => {
      throw new AgentReadError(execFailureMessage(TOOL, error), { cause: error });
    });
  }
  const gpus = parseQueryGpuCsv(stdout, fields);
  if (gpus.length === 0) throw new AgentReadError(`${TOOL} listed no GPUs`);
  return gpus;
}

/** Runs the CSV query; a rejected field fails it even where nvidia-smi exits 0 on it. */
async function query(exec: Exec, fields: readonly string[]): Promise<string> {
  const stdout = await exec(TOOL, [
    `--query-gpu=${fields.join(',')}`,
    '--format=csv,noheader,nounits',
  ]);
  if (stdout.includes(REJECTED_FIELD)) {
    throw Object.assign(new Error(firstLine(stdout) ?? REJECTED_FIELD), { code: 0, stdout });
  }
  return stdout;
}

/** nvidia-smi's `Field "X" is not a valid field to query.`, on stdout or stderr. */
function rejectsField(error: unknown, field: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const said = ['stdout', 'stderr', 'message']
    .map((key) => (error as Record<string, unknown>)[key])
    .filter((value) => typeof value === 'string')
    .join('\n');
  return said.includes(`"${field}" ${REJECTED_FIELD}`);
}

/** An error from running the program, as opposed to one from reading its output. */
function isExecFailure(error: Error): boolean {
  return 'code' in error || 'signal' in error;
}

/**
 * Adds the XML-only facts to the CSV readings. The CSV's own values win: it is the reading
 * asked for this interval, and the XML fills in only what the CSV has no field for (or gave
 * as N/A). An unparsable CSV line stays unparsable: a half-read GPU must not look whole.
 */
function mergeXml(
  gpus: readonly GpuReading[],
  xmlGpus: readonly SmiXmlGpu[],
  warnings: string[],
): GpuReading[] {
  const used = new Set<SmiXmlGpu>();
  const merged = gpus.map((gpu) => {
    if (gpu.unparsable !== undefined) return gpu;
    const match =
      xmlGpus.find((x) => gpu.busId !== undefined && sameBusId(x.busId, gpu.busId)) ??
      xmlGpus.find((x) => gpu.uuid !== undefined && x.uuid === gpu.uuid);
    if (!match) {
      warnings.push(`GPU ${gpu.index} is missing from ${TOOL} -q -x`);
      return gpu;
    }
    used.add(match);
    const { busId, ...facts } = match;
    return { busId, ...facts, ...gpu };
  });
  for (const x of xmlGpus) {
    if (!used.has(x) && !gpus.some((gpu) => gpu.unparsable !== undefined)) {
      warnings.push(`GPU ${x.busId} is in ${TOOL} -q -x but not in the query`);
    }
  }
  return merged;
}

/**
 * Bus ids compare by value: the CSV prints an 8-digit PCI domain (`00000000:18:00.0`) where
 * some drivers' XML prints 4 (`0000:18:00.0`), and hex case varies.
 */
function sameBusId(a: string, b: string): boolean {
  return canonicalBusId(a) === canonicalBusId(b);
}

function canonicalBusId(busId: string): string {
  const match = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(busId.trim());
  if (!match) return busId.trim().toLowerCase();
  const [, domain = '', bus = '', device = '', fn = ''] = match;
  const hex = (part: string): string => parseInt(part, 16).toString(16);
  return [hex(domain), hex(bus), hex(device)].join(':') + '.' + hex(fn);
}
