import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What a command loads is most of what a small plan costs (ECharts alone is about 2,800
 * modules): the built CLI is run with a module hook that records every module it resolves.
 */
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const BIN = join(DIST, 'cli', 'bin.js');
const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'stargate-startup-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The modules `stargate ARGS` resolves, as URLs. */
function modulesOf(args: readonly string[]): string[] {
  const log = join(dir, `modules-${args.join('-').replace(/\W+/g, '_')}.txt`);
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
  return resolved;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  writeFileSync(log, '');
  const run = spawnSync(process.execPath, ['--import', register, BIN, ...args], {
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('what a command loads', () => {
  it('plan without --chart loads no chart code, nor HiGHS with --solver fast', () => {
    const modules = modulesOf(['plan', EXAMPLE, '--solver', 'fast', '--format', 'json']);
    expect(modules.some((url) => url.includes('/dist/core/planner/fast.js'))).toBe(true);
    expect(modules.filter((url) => /echarts|zrender|\/dist\/charts\//.test(url))).toEqual([]);
    expect(modules.filter((url) => /highs/.test(url))).toEqual([]);
  });

  it('plan loads zod as the one bundled module, not its package files', () => {
    const modules = modulesOf(['plan', EXAMPLE, '--solver', 'fast', '--format', 'json']);
    // Resolved once per module that imports it: one file all the same.
    expect(new Set(modules.filter((url) => /\/zod[/.]/.test(url)))).toEqual(
      new Set([pathToFileURL(join(DIST, 'vendor', 'zod.js')).href]),
    );
  });

  it('plan --chart loads the charts', () => {
    const modules = modulesOf([
      'plan',
      EXAMPLE,
      '--solver',
      'fast',
      '--format',
      'json',
      '--chart',
      join(dir, 'plan.svg'),
    ]);
    expect(modules.some((url) => url.includes('/node_modules/echarts/'))).toBe(true);
  });
});
