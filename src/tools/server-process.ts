import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real `stargate serve` processes for the services suites, the browser suite, the dashboard's
 * screenshots and its benchmark: spawn one
 * from the built CLI (dist/, so `npm run build` first), learn its port from the "serving
 * http://HOST:PORT" line, talk to it over HTTP, kill it. Every process spawned here is
 * remembered until it exits: `stopAllServers()` (in afterAll/afterEach) ends those still
 * running, and the test worker kills them with SIGKILL if it exits first.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
export const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

/** Where a process keeps its data: a PostgreSQL database, or a PGlite directory. */
export type ServerStore = { readonly databaseUrl: string } | { readonly dataDir: string };

export interface ServerOptions {
  readonly store: ServerStore;
  /** Extra arguments to `serve` (`--import FILE`, `--sweep-every SEC`, ...). */
  readonly args?: readonly string[];
  /** How long to wait for the "serving" line; default 60 s. */
  readonly startTimeoutMs?: number;
}

export interface ServerProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The first admin token, when the process made one (a store without tokens). */
  readonly firstToken: string | undefined;
  /** Everything the process wrote on stdout and stderr so far (for failure messages). */
  output(): string;
  /** Whether the process has exited. */
  exited(): boolean;
  /** Sends the signal and waits for the process to exit; resolves at once if it has. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function childEnv(store: ServerStore | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['DATABASE_URL'];
  if (store && 'databaseUrl' in store) env['DATABASE_URL'] = store.databaseUrl;
  return env;
}

function storeArgs(store: ServerStore | undefined): string[] {
  return store && 'dataDir' in store ? ['--data', store.dataDir] : [];
}

function checkBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run npm run build first (npm run test:services does)`);
  }
}

/** Keeps the last `limit` characters of a stream. */
function collector(limit = 200_000): { add: (chunk: Buffer) => void; text: () => string } {
  let text = '';
  return {
    add: (chunk) => {
      text += chunk.toString();
      if (text.length > limit) text = text.slice(text.length - limit);
    },
    text: () => text,
  };
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

/** Runs a CLI command (`import`, `token create`) to its end; throws unless it exits 0. */
export async function runCli(
  args: readonly string[],
  store?: ServerStore,
): Promise<{ stdout: string; stderr: string }> {
  checkBuilt();
  const child = spawn(process.execPath, [CLI, ...args, ...storeArgs(store)], {
    cwd: REPO_ROOT,
    env: childEnv(store),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const stdout = collector();
  const stderr = collector();
  child.stdout?.on('data', stdout.add);
  child.stderr?.on('data', stderr.add);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => {
      resolve(exitCode);
    });
  }).finally(() => running.delete(child));
  if (code !== 0) {
    throw new Error(
      `stargate ${args.join(' ')} exited ${String(code)}:\n${stderr.text()}${stdout.text()}`,
    );
  }
  return { stdout: stdout.text(), stderr: stderr.text() };
}

/** Starts `stargate serve --port 0` and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  checkBuilt();
  const args = [
    CLI,
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--log-level',
    'warn',
    ...storeArgs(options.store),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: childEnv(options.store),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const log = collector();
  let stderr = '';
  child.stdout?.on('data', log.add);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stargate serve did not listen within ${timeoutMs} ms:\n${log.text()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log.add(chunk);
      stderr += chunk.toString();
      const match = /serving (http:\/\/[^\s:]+:\d+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.on('data', log.add);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `stargate serve exited (${String(code ?? signal)}) before listening:\n${log.text()}`,
        ),
      );
    });
  });
  const firstToken = /export STARGATE_TOKEN=(\S+)/.exec(stderr)?.[1];
  const pid = child.pid;
  if (pid === undefined) throw new Error('stargate serve has no pid');
  return {
    pid,
    url,
    firstToken,
    output: log.text,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exit = waitForExit(child);
      child.kill(signal);
      if (signal !== 'SIGKILL') {
        // A graceful stop that hangs is ended the hard way.
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
      await exit;
    },
  };
}

/** `stargate gen ARGS > FILE`: a generated portfolio is too large to hold as a string. */
export function generate(file: string, args: readonly string[]): void {
  checkBuilt();
  const fd = openSync(file, 'w');
  try {
    const result = spawnSync(process.execPath, [CLI, 'gen', ...args], {
      stdio: ['ignore', fd, 'pipe'],
    });
    if (result.status !== 0) throw new Error(`stargate gen failed: ${String(result.stderr)}`);
  } finally {
    closeSync(fd);
  }
}

/** The `stargate gen` arguments of the 5,000-workload portfolio the dashboard is checked on. */
export const LARGE = ['--workloads', '5000', '--pools', '300', '--months', '72', '--seed', '1'];

/**
 * A generated portfolio (`stargate gen ARGS`) served from a fresh PGlite store in `dir`, with
 * one plan stored by the fast planner: for the checks of large portfolios.
 */
export async function servePlannedPortfolio(
  dir: string,
  args: readonly string[],
): Promise<{ server: ServerProcess; admin: string }> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'portfolio.yaml');
  generate(file, args);
  const server = await startServer({
    store: { dataDir: join(dir, 'data') },
    args: ['--import', file],
    startTimeoutMs: 300_000,
  });
  const admin = server.firstToken ?? '';
  const planned = await api(server, 'POST', '/v1/plans', {
    token: admin,
    body: { solver: 'fast' },
  });
  if (planned.status !== 201) {
    throw new Error(
      `planning the generated portfolio: ${planned.status} ${JSON.stringify(planned.body)}`,
    );
  }
  return { server, admin };
}

/** Ends every server process still running (SIGTERM, then SIGKILL after 10 s). */
export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exit = waitForExit(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }),
  );
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (undefined when there is none). */
  readonly body: unknown;
}

/** One HTTP call to a server; rejects only when no response came (the connection failed). */
export async function api(
  server: { readonly url: string },
  method: string,
  path: string,
  options: {
    readonly token?: string | undefined;
    readonly body?: unknown;
    readonly headers?: Readonly<Record<string, string>>;
  } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
