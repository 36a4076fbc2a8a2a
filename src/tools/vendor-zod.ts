#!/usr/bin/env node
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * A step of `npm run build`, after `tsc`: zod bundled into one module, `dist/vendor/zod.js`, and
 * the built code's `from 'zod'` pointed at it. Node's loader reads zod's 95 ES modules one by
 * one, and every command validates its input with zod: on a 2-core machine with slow fresh memory
 * that was 165 ms of `import('zod')` against 70–95 ms for the one bundled file, and the small
 * `stargate plan` 0.64–0.71 s against 0.56–0.63 s whole (docs/planner.md, "Start-up: zod as one
 * module"). The package stays a dependency: its types, the tests (which run the sources) and the
 * dashboard's bundle use it as it is. The same zod, so the same behaviour: only how it loads
 * changes.
 */
const DIST = fileURLToPath(new URL('..', import.meta.url));
const VENDOR = join(DIST, 'vendor', 'zod.js');
const IMPORT = /\bfrom (['"])zod\1/g;

/** Every `.js` file under `dir`, the dashboard's and the bundle's own excepted. */
async function builtModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => {
      const inside = relative(dir, file).split(sep)[0];
      return inside !== 'web' && inside !== 'vendor';
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
  let rewritten = 0;
  for (const file of await builtModules(DIST)) {
    const text = await readFile(file, 'utf8');
    if (!IMPORT.test(text)) continue;
    IMPORT.lastIndex = 0;
    let path = relative(dirname(file), VENDOR).split(sep).join('/');
    if (!path.startsWith('.')) path = `./${path}`;
    await writeFile(
      file,
      text.replace(IMPORT, (_match, quote: string) => `from ${quote}${path}${quote}`),
    );
    rewritten++;
  }
  if (rewritten === 0) {
    process.stderr.write(`vendor-zod: no built module imports zod under ${DIST}; was tsc run?\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
