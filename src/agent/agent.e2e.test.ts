import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../tools/server-process.js';
import { CLI, EXAMPLE, REPO_ROOT, api, runCli, startServer } from '../tools/server-process.js';

/**
 * The agent end to end, as an operator runs it: `stargate agent` with a fake `nvidia-smi` on
 * PATH (a script printing the real H100's output, src/agent/fixtures), against a real `stargate
 * serve` on PGlite. The fake prints whatever its files hold, so the test turns a GPU unhealthy
 * by rewriting them; it stops the agent to make the node stale.
 */

const FIXTURES = new URL('./fixtures/nvidia-smi-h100/', import.meta.url);
/** The real H100 of the fixtures, as the agent's CSV query prints it (QUERY_FIELDS). */
const HEALTHY =
  '0, GPU-4337529d-7956-3dfb-5b95-828a478c72ac, NVIDIA H100 80GB HBM3, 00000000:00:06.0, 81559, 39, 92.07, 700.00, 0, 0x0000000000000001\n';
const ECC = HEALTHY.replace(', 700.00, 0, 0x', ', 700.00, 2, 0x');

let server: ServerProcess;
let scratch: string;
let bin: string;
let admin: string;
const tokens: Record<string, string> = {};
const children = new Set<ChildProcess>();

async function token(grant: Record<string, unknown>): Promise<string> {
  const made = await api(server, 'POST', '/v1/tokens', { token: admin, body: grant });
  expect(made.status).toBe(201);
  return (made.body as { token: string }).token;
}

/** `stargate agent …` with the fake nvidia-smi first on PATH. */
function agent(args: readonly string[], path = `${bin}:${process.env['PATH'] ?? ''}`) {
  const child = spawn(process.execPath, [CLI, 'agent', '--server', server.url, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PATH: path, STARGATE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return { child, exit, stderr: () => stderr };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const inventory = async () =>
  (await api(server, 'GET', '/v1/inventory', { token: tokens['planner'] ?? '' })).body as {
    totals: { nodes: number; staleNodes: number; gpus: number; healthy: number };
    unhealthy: { node: string; gpu: number; reasons: string[] }[];
    stale: { node: string }[];
  };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'stargate-agent-e2e-'));
  bin = join(scratch, 'bin');
  await rm(bin, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  await writeFile(join(bin, 'query.csv'), HEALTHY);
  await writeFile(join(bin, 'q.xml'), await readFile(new URL('nvidia-smi-q.xml', FIXTURES)));
  // The fake: the CSV query prints query.csv, `-q -x` prints q.xml, anything else fails.
  await writeFile(
    join(bin, 'nvidia-smi'),
    `#!/bin/sh
dir=$(dirname "$0")
case "$*" in
  *--query-gpu=*) cat "$dir/query.csv" ;;
  "-q -x") cat "$dir/q.xml" ;;
  *) echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 9 ;;
esac
`,
  );
  await chmod(join(bin, 'nvidia-smi'), 0o755);
  server = await startServer({
    store: { dataDir: join(scratch, 'data') },
    args: ['--import', EXAMPLE, '--sweep-every', '1'],
  });
  admin = server.firstToken ?? '';
  tokens['planner'] = await token({ role: 'planner' });
  tokens['azure'] = await token({ role: 'operator', sites: ['azure-us-east'] });
  tokens['abilene'] = await token({ role: 'operator', sites: ['abilene'] });
}, 90_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server.kill();
  await rm(scratch, { recursive: true, force: true });
});

describe('stargate agent against a real server', () => {
  it('reports the node once (--once) and its GPU appears, healthy, in the inventory', async () => {
    const run = agent([
      '--token',
      tokens['azure'] ?? '',
      '--site',
      'azure-us-east',
      '--node-name',
      'h100-node-1',
      '--once',
    ]);
    expect(await run.exit, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('h100-node-1: 1 GPU, 1 healthy (pool azure-h100)');
    const seen = await inventory();
    expect(seen.totals).toEqual({ nodes: 1, staleNodes: 0, gpus: 1, healthy: 1 });
    const node = (await api(server, 'GET', '/v1/nodes/h100-node-1', { token: admin })).body as {
      driverVersion: string;
      cudaVersion: string;
      gpuDetail: { reading: Record<string, unknown> }[];
    };
    expect(node.driverVersion).toBe('580.159.04');
    expect(node.cudaVersion).toBe('13.0');
    expect(node.gpuDetail[0]?.reading).toMatchObject({
      uuid: 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac',
      memoryMiB: 81559,
      defaultPowerLimitW: 700,
      remappedRowsPending: false,
    });
    // As the operator reads it: stargate inventory, and the node itself.
    const connection = ['--server', server.url, '--token', tokens['planner'] ?? ''];
    const shown = await runCli(['inventory', ...connection]);
    expect(shown.stdout).toMatch(/^1 of 1 GPUs healthy on 1 reporting nodes; 0 stale/);
    expect(shown.stdout).toMatch(/azure-us-east +azure-h100 +h100 +1 +0 +1 +1 +0/);
    const one = await runCli(['inventory', 'node', 'h100-node-1', ...connection]);
    expect(one.stdout).toContain('Driver 580.159.04, CUDA 13.0');
    expect(one.stdout).toMatch(/^ +0 +NVIDIA H100 80GB HBM3 +39 °C +92\.07 W +700 W +0 +yes +-$/m);
  });

  it('runs on: a GPU turning unhealthy shows within an interval, and a stopped agent goes stale', async () => {
    const run = agent([
      '--token',
      tokens['azure'] ?? '',
      '--site',
      'azure-us-east',
      '--node-name',
      'h100-node-2',
      '--interval',
      '1s',
    ]);
    await until(inventory, (i) => i.totals.nodes === 2 && i.totals.healthy === 2, 'second node');
    // The day's maximum is read by the server's sweep (every second here): let two sweeps see
    // both nodes healthy before the ECC error, or the delivery below may count one.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await writeFile(join(bin, 'query.csv'), ECC);
    // Node 1 reported once (--once) and is not read again; node 2 reads the ECC error.
    const sick = await until(inventory, (i) => i.unhealthy.length === 1, 'ECC error seen');
    expect(sick.unhealthy).toEqual([
      {
        node: 'h100-node-2',
        site: 'azure-us-east',
        pool: 'azure-h100',
        gpu: 0,
        reasons: ['2 uncorrectable ECC errors since the driver loaded'],
      },
    ]);
    expect(run.stderr()).toContain('GPU 0: 2 uncorrectable ECC errors since the driver loaded');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const stale = await until(inventory, (i) => i.stale.length === 1, 'node stale');
    expect(stale.stale[0]?.node).toBe('h100-node-2');
  });

  it('records the month’s delivery from the agents', async () => {
    const deliveries = await until(
      async () =>
        (await api(server, 'GET', '/v1/deliveries?pool=azure-h100', { token: admin })).body as {
          source: string;
          gpus: number;
        }[],
      (rows) => rows.length === 1,
      'agent delivery',
    );
    expect(deliveries[0]?.source).toBe('agent');
    // The day's maximum: both nodes healthy at once before the ECC error.
    expect(deliveries[0]?.gpus).toBe(2);
  });

  it('is refused with a token of another site, and says so (exit 2)', async () => {
    await writeFile(join(bin, 'query.csv'), HEALTHY);
    const run = agent([
      '--token',
      tokens['abilene'] ?? '',
      '--site',
      'azure-us-east',
      '--node-name',
      'intruder',
      '--once',
    ]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain(
      'heartbeat refused: 403 forbidden: this operator token is for site abilene; it may not report for site azure-us-east',
    );
  });

  it('exits 2 without posting when nvidia-smi is missing', async () => {
    const run = agent(
      [
        '--token',
        tokens['azure'] ?? '',
        '--site',
        'azure-us-east',
        '--node-name',
        'no-smi',
        '--once',
      ],
      '/nonexistent',
    );
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('cannot read the node: nvidia-smi not found on PATH');
    expect((await api(server, 'GET', '/v1/nodes/no-smi', { token: admin })).status).toBe(404);
  });

  it('reads a DCGM exporter instead with --dcgm, and judges its ECC errors, pending row remap and XID 79', async () => {
    const text = await readFile(new URL('./fixtures/dcgm-exporter-h100.prom', import.meta.url));
    const exporter = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(text);
    });
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    const { port } = exporter.address() as AddressInfo;
    try {
      const run = agent(
        [
          '--token',
          tokens['azure'] ?? '',
          '--site',
          'azure-us-east',
          '--node-name',
          'dcgm-node',
          '--dcgm',
          `http://127.0.0.1:${port}/metrics`,
          '--once',
        ],
        '/nonexistent', // no nvidia-smi: the exporter is the only source
      );
      expect(await run.exit, run.stderr()).toBe(0);
      const node = (await api(server, 'GET', '/v1/nodes/dcgm-node', { token: admin })).body as {
        source: string;
        gpus: number;
        healthy: number;
        unhealthy: { gpu: number; reasons: string[] }[];
      };
      expect(node).toMatchObject({ source: 'dcgm', gpus: 2, healthy: 1 });
      expect(node.unhealthy).toEqual([
        {
          gpu: 1,
          reasons: [
            '2 uncorrectable ECC errors since the driver loaded',
            'a row remap is pending (needs a GPU reset)',
            'critical XID 79',
          ],
        },
      ]);
    } finally {
      exporter.close();
    }
  });
});
