import type { GpuReading, NodeReading } from '../core/fleet/readings.js';
import { seededRandom } from '../core/random.js';

/**
 * The simulated fleet of the fleet bench: nodes of eight GPUs at a few sites of the example
 * scenario, each reading as nvidia-smi gives it on a real host (the H100 fixture in
 * src/agent/fixtures: product name, UUID, bus id, memory, temperature, power, ECC, clock
 * reasons). Readings are serialised once per node and variant, so the load generator only
 * splices in the sequence and the time.
 */

/** Where the simulated nodes stand: a site, its pool or building, and the part it holds. */
interface Placement {
  readonly site: string;
  readonly pool: string;
  readonly prefix: string;
  readonly part: 'h100' | 'gb200';
  /** Share of the fleet here. */
  readonly share: number;
}

const PLACEMENTS: readonly Placement[] = [
  { site: 'azure-us-east', pool: 'azure-h100', prefix: 'az', part: 'h100', share: 0.4 },
  { site: 'coreweave-us', pool: 'coreweave-h100', prefix: 'cw', part: 'h100', share: 0.2 },
  { site: 'abilene', pool: 'abilene-b1', prefix: 'ab1', part: 'gb200', share: 0.1 },
  { site: 'abilene', pool: 'abilene-b2', prefix: 'ab2', part: 'gb200', share: 0.1 },
  { site: 'abilene', pool: 'abilene-b3', prefix: 'ab3', part: 'gb200', share: 0.1 },
  { site: 'abilene', pool: 'abilene-b4', prefix: 'ab4', part: 'gb200', share: 0.1 },
];

/** The sites the bench's operator token is for. */
export const FLEET_SITES = [...new Set(PLACEMENTS.map((p) => p.site))];

const PARTS = {
  h100: { name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, powerLimitW: 700 },
  gb200: { name: 'NVIDIA GB200', memoryMiB: 189471, powerLimitW: 1200 },
} as const;

/** What goes wrong on a few nodes, so that the server sees changes of health. */
export type Fault = 'none' | 'ecc' | 'xid';

export interface SimNode {
  readonly name: string;
  readonly site: string;
  readonly pool: string;
  readonly fault: Fault;
  /**
   * The JSON of everything before `"sequence"` and of each reading variant: heartbeat `k` of
   * the node sends variant `readings[k % readings.length]` (temperatures and power move from
   * one reading to the next; an `xid` node raises XID 79 in every second heartbeat: it flaps,
   * so its health changes at every heartbeat).
   */
  readonly head: string;
  readonly readings: readonly string[];
}

/** A plausible reading of one GPU: busy, warm, at or under its power limit, no errors. */
function gpu(
  part: keyof typeof PARTS,
  index: number,
  uuid: string,
  random: () => number,
): GpuReading {
  const spec = PARTS[part];
  const busy = random() < 0.9;
  const drawW = busy
    ? Math.round(spec.powerLimitW * (0.55 + 0.44 * random()) * 100) / 100
    : Math.round(spec.powerLimitW * 0.1 * 100) / 100;
  return {
    index,
    uuid,
    name: spec.name,
    busId: `00000000:${(0x18 + index * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
    memoryMiB: spec.memoryMiB,
    temperatureC: busy ? 55 + Math.floor(random() * 22) : 31 + Math.floor(random() * 8),
    powerDrawW: drawW,
    powerLimitW: spec.powerLimitW,
    defaultPowerLimitW: spec.powerLimitW,
    eccUncorrectedVolatile: 0,
    clockEventReasons: busy
      ? drawW > spec.powerLimitW * 0.97
        ? ['sw_power_cap']
        : []
      : ['gpu_idle'],
  };
}

function uuidOf(random: () => number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `GPU-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

function reading(gpus: readonly GpuReading[]): NodeReading {
  return { source: 'nvidia-smi', driverVersion: '580.159.04', cudaVersion: '13.0', gpus };
}

/**
 * `count` nodes over the placements; `faultShare` of them are unhealthy at some time: half with
 * ECC errors from the first heartbeat on (one change, at registration), half flapping with an
 * XID (a change at every heartbeat). Deterministic for a seed.
 */
export function simulatedFleet(count: number, faultShare: number, seed = 1): SimNode[] {
  const source = seededRandom(seed);
  const random = () => source.next();
  const nodes: SimNode[] = [];
  const every = faultShare > 0 ? Math.max(1, Math.round(1 / faultShare)) : 0;
  let placed = 0;
  PLACEMENTS.forEach((placement, which) => {
    const here =
      which === PLACEMENTS.length - 1 ? count - placed : Math.round(count * placement.share);
    for (let i = 0; i < here; i++) {
      const n = placed + i;
      const fault: Fault =
        every > 0 && n % every === every - 1 ? (n % (2 * every) < every ? 'ecc' : 'xid') : 'none';
      const name = `gpu-${placement.prefix}-${String(i + 1).padStart(5, '0')}`;
      const uuids = Array.from({ length: 8 }, () => uuidOf(random));
      const variants = [0, 1].map((variant) => {
        const gpus = uuids.map((uuid, index) => {
          const base = gpu(placement.part, index, uuid, random);
          if (index !== 3) return base;
          if (fault === 'ecc') return { ...base, eccUncorrectedVolatile: 2 };
          if (fault === 'xid' && variant === 1) return { ...base, xids: [79] };
          return base;
        });
        return JSON.stringify(reading(gpus));
      });
      nodes.push({
        name,
        site: placement.site,
        pool: placement.pool,
        fault,
        head: `{"node":${JSON.stringify(name)},"site":${JSON.stringify(placement.site)},"pool":${JSON.stringify(placement.pool)},`,
        readings: variants,
      });
    }
    placed += here;
  });
  return nodes;
}

/** Heartbeat `beat` (0 = the first) of a node, as the body the agent would post. */
export function heartbeatJson(node: SimNode, beat: number, observedAt: string): string {
  const variant = node.readings[beat % node.readings.length] ?? '';
  return `${node.head}"sequence":${beat + 1},"intervalSeconds":30,"observedAt":"${observedAt}","reading":${variant}}`;
}
