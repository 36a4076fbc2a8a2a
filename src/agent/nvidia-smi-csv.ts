import type { GpuReading } from '../core/fleet/readings.js';
import { reasonsFromMask } from './clock-reasons.js';
import { isNotAvailable, parseMeasure } from './smi-values.js';

/** What the agent asks `nvidia-smi --query-gpu=…` for, in this order. */
export const QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'ecc.errors.uncorrected.volatile.total',
  'clocks_event_reasons.active',
] as const;

/**
 * QUERY_FIELDS for drivers older than R535, which name the last field `clocks_throttle_reasons`
 * and reject `clocks_event_reasons.active` as an unknown field.
 */
export const LEGACY_QUERY_FIELDS = [
  ...QUERY_FIELDS.slice(0, -1),
  'clocks_throttle_reasons.active',
] as const;

type Draft = { -readonly [K in keyof GpuReading]?: GpuReading[K] };
type TextKey = 'uuid' | 'name' | 'busId';
type NumberKey =
  | 'memoryMiB'
  | 'temperatureC'
  | 'powerDrawW'
  | 'powerLimitW'
  | 'defaultPowerLimitW'
  | 'eccUncorrectedVolatile';

type Target =
  | { readonly kind: 'index' }
  | { readonly kind: 'text'; readonly key: TextKey }
  | { readonly kind: 'number'; readonly key: NumberKey }
  | { readonly kind: 'clocks' };

// The query fields the reading has a place for, aliases included. Any other field (serial,
// utilization.gpu, driver_version…) is read past, so a caller may query more than we keep.
const TARGETS: ReadonlyMap<string, Target> = new Map<string, Target>([
  ['index', { kind: 'index' }],
  ['uuid', { kind: 'text', key: 'uuid' }],
  ['gpu_uuid', { kind: 'text', key: 'uuid' }],
  ['name', { kind: 'text', key: 'name' }],
  ['gpu_name', { kind: 'text', key: 'name' }],
  ['pci.bus_id', { kind: 'text', key: 'busId' }],
  ['gpu_bus_id', { kind: 'text', key: 'busId' }],
  ['memory.total', { kind: 'number', key: 'memoryMiB' }],
  ['temperature.gpu', { kind: 'number', key: 'temperatureC' }],
  ['power.draw', { kind: 'number', key: 'powerDrawW' }],
  ['power.limit', { kind: 'number', key: 'powerLimitW' }],
  ['power.default_limit', { kind: 'number', key: 'defaultPowerLimitW' }],
  ['ecc.errors.uncorrected.volatile.total', { kind: 'number', key: 'eccUncorrectedVolatile' }],
  ['clocks_event_reasons.active', { kind: 'clocks' }],
  ['clocks_throttle_reasons.active', { kind: 'clocks' }],
]);

/** `memory.total [MiB]` (a header cell) → `memory.total`. */
function fieldName(field: string): string {
  return field.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

/**
 * The GPUs in the output of `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`,
 * one per line, in the tool's order. Values are mapped by field name, so `fields` must be the
 * list the query named, in its order. `[N/A]`, `[Not Supported]` and the like leave the value
 * absent. A line that cannot be read (wrong number of fields, an index or number that is not
 * one, truncated output) becomes `{ index, unparsable }` and the other lines still go through.
 * Units (`81559 MiB`, `700.00 W`) and a header line are tolerated, so the output of
 * `--format=csv` reads too.
 *
 * @example
 * parseQueryGpuCsv('0, GPU-43…, NVIDIA H100 80GB HBM3, 81559, 700.00\n',
 *   ['index', 'uuid', 'name', 'memory.total', 'power.limit'])
 * // → [{ index: 0, uuid: 'GPU-43…', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, powerLimitW: 700 }]
 */
export function parseQueryGpuCsv(text: string, fields: readonly string[]): GpuReading[] {
  const names = fields.map(fieldName);
  const readings: GpuReading[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cells = trimmed.split(',').map((cell) => cell.trim());
    if (isHeader(cells, names)) continue;
    readings.push(parseLine(cells, names, readings.length));
  }
  return readings;
}

function isHeader(cells: readonly string[], names: readonly string[]): boolean {
  return cells.length === names.length && cells.every((cell, i) => fieldName(cell) === names[i]);
}

/** One GPU's line; `position` is its place among the GPU lines, the index when none is read. */
function parseLine(
  cells: readonly string[],
  names: readonly string[],
  position: number,
): GpuReading {
  const indexAt = names.indexOf('index');
  const index = indexAt >= 0 ? parseIndex(cells[indexAt]) : undefined;
  const bad = (why: string): GpuReading => ({ index: index ?? position, unparsable: why });

  if (cells.length !== names.length) {
    return bad(
      `expected ${names.length} fields, got ${cells.length} (truncated or malformed line)`,
    );
  }
  if (indexAt >= 0 && index === undefined) {
    return bad(`index: '${cells[indexAt] ?? ''}' is not a GPU index`);
  }
  const draft: Draft = {};
  for (const [i, name] of names.entries()) {
    const target = TARGETS.get(name);
    const cell = cells[i] ?? '';
    if (target === undefined || target.kind === 'index' || isNotAvailable(cell)) continue;
    const problem = apply(draft, target, cell);
    if (problem !== undefined) return bad(`${name}: ${problem}`);
  }
  return { index: index ?? position, ...draft };
}

/** Sets the target's value from `cell` on `draft`; returns what was wrong, if anything. */
function apply(draft: Draft, target: Target, cell: string): string | undefined {
  switch (target.kind) {
    case 'text':
      draft[target.key] = cell;
      return undefined;
    case 'number': {
      const value = parseMeasure(cell);
      if (value === undefined) return `'${cell}' is not a number`;
      draft[target.key] = value;
      return undefined;
    }
    case 'clocks': {
      // nvidia-smi prints the mask as 0x followed by 16 hex digits: past 2^53, so BigInt.
      if (!/^0x[0-9a-fA-F]+$/.test(cell)) return `'${cell}' is not a hex bitmask`;
      draft.clockEventReasons = reasonsFromMask(BigInt(cell));
      return undefined;
    }
    case 'index':
      return undefined;
  }
}

function parseIndex(cell: string | undefined): number | undefined {
  if (cell === undefined || !/^\d+$/.test(cell)) return undefined;
  return Number(cell);
}
