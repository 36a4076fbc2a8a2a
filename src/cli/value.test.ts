import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterScenario } from '../test-support/unit-scenarios.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

// Azure sells 100 GPUs at $3; Stargate's b1 (100 GPUs at $1) comes online in March. api needs
// 150 GPUs worth $5 an hour all quarter, so every pool is full every month it exists.
const SCENARIO = quarterScenario('value-cli');

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-value-test-'));
  file = join(dir, 'value.yaml');
  await writeFile(file, SCENARIO);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function value(...args: string[]) {
  const io = bufferIo();
  const code = await run(['value', file, ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('stargate value', () => {
  it('lists the full pool-months by value and what b1 a month earlier saves', async () => {
    const { code, out } = await value();
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines).toContain('3 of 4 pool-months are full and worth more; all:');
    // az: api's unmet GPUs would pay $5 for its $3, in January (744 h) and February (672 h).
    expect(lines).toContain('  az    azure     2026-01   100   100      $1,488.00         $2.00');
    expect(lines).toContain('  az    azure     2026-02   100   100      $1,344.00         $2.00');
    // In March b1 is full and az is not: one more b1 GPU moves one off az, $3 − $1.
    expect(lines).toContain('  b1    stargate  2026-03   100   100      $1,488.00         $2.00');
    expect(out).not.toMatch(/az +azure +2026-03/);
    // b1 in February: 100 GPUs at $1 and 50 on az at $3, instead of 100 on az and 50 unmet
    // ($5): $300 an hour for 672 h. Later is past the horizon.
    expect(out).toMatch(/ {2}b1 +2026-03 +100 +\$201\.6K +- +-\n/);
    expect(out).toMatch(/Re-planned: 1 plan: 1 exact from two LPs, none by the planner/);
  });

  it('writes JSON with units and the interval, and CSV', async () => {
    const json = JSON.parse((await value('--format', 'json')).out) as {
      units: { capacity: string };
      capacity: { pool: string; month: string; perGpuMonthUSD: number }[];
      buildings: {
        building: string;
        monthEarlier: { usd: number; lowUSD: number; highUSD: number };
      }[];
    };
    expect(json.units.capacity).toMatch(/USD per GPU for the whole month/);
    expect(json.capacity.map((r) => [r.pool, r.month, r.perGpuMonthUSD])).toEqual([
      ['az', '2026-01', 1488],
      ['b1', '2026-03', 1488],
      ['az', '2026-02', 1344],
      ['az', '2026-03', 0],
    ]);
    expect(json.buildings[0]?.monthEarlier).toEqual({
      online: '2026-02',
      usd: 201600,
      lowUSD: 201600,
      highUSD: 201600,
    });
    const csv = (await value('--format', 'csv')).out.split('\n');
    expect(csv[0]).toBe('section,subject,where,month,gpus,used,item,amountUSD,lowUSD,highUSD');
    expect(csv).toContain(
      'building,b1,abilene,2026-02,100,,month-earlier,201600.00,201600.00,201600.00',
    );
  });

  it('refuses a bad flag with exit 2, naming it', async () => {
    const { code, err } = await value('--top', '0');
    expect(code).toBe(2);
    expect(err).toMatch(/--top: expected a whole number from 1/);
  });
});
