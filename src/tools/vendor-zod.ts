#!/usr/bin/env node
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * A step of `npm run build`, after `tsc`: zod bundled into one module, `dist/vendor/zod.js`, and
 * the built code's `from 'zod'` pointed at it. Node's loader reads zod's 95 ES modules one by
 * one, and every command validates its input with zod: that took more of a small `stargate plan`
 * than planning did (docs/planner.md, "Start-up: zod as one module", for the measurements). The
 * package stays a dependency: its types, the tests (which run the sources) and the dashboard's
 * bundle use it as it is. The same zod, so the same behaviour: only how it loads changes.
 */
const DIST = fileURLToPath(new URL('..', import.meta.url));
/** This script's own built file: its bundle entry names zod, and stays so. */
const SELF = fileURLToPath(import.meta.url);
const VENDOR = join(DIST, 'vendor', 'zod.js');
const IMPORT = /\bfrom (['"])zod\1/g;

/** Every `.js` file under `dir`, but the dashboard's, the bundle's and this script's. */
async function builtModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => {
      const inside = relative(dir, file).split(sep)[0];
      return inside !== 'web' && inside !== 'vendor' && file !== SELF;
    })
    .sort();
}

async function main(): Promise<number> {
  await build({
    stdin: {
      contents: "export * from 'zod';\nexport { z, z as default } from 'zod';\n",
      resolveDir: DIST,
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: VENDOR,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  /** Built modules importing zod: rewritten now, or already (the script run twice). */
  let importers = 0;
  for (const file of await builtModules(DIST)) {
    const text = await readFile(file, 'utf8');
    let path = relative(dirname(file), VENDOR).split(sep).join('/');
    if (!path.startsWith('.')) path = `./${path}`;
    const rewritten = text.replace(
      IMPORT,
      (_match, quote: string) => `from ${quote}${path}${quote}`,
    );
    if (rewritten !== text) await writeFile(file, rewritten);
    if (rewritten !== text || rewritten.includes(`'${path}'`)) importers++;
  }
  if (importers === 0) {
    process.stderr.write(`vendor-zod: no built module imports zod under ${DIST}; was tsc run?\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
