import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of eslint.config.js, run on small sources through ESLint's Node API, so
 * that a rule dropped or loosened there fails here. Only the architecture rules run, and
 * without type information: the file paths need not exist.
 */

const RULES = new Set(['no-restricted-imports', 'import-x/no-cycle']);

const eslint = new ESLint({
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => RULES.has(ruleId),
});

/** The rule of each problem ESLint finds in `code` as the file at `filePath`. */
async function problems(filePath: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error(`no lint result for ${filePath}`);
  return result.messages.map((m) => (m.fatal === true ? `fatal: ${m.message}` : m.ruleId));
}

describe('the architecture rules', () => {
  it.each([
    ["import { openStore } from '../store/open.js';"],
    ["import { buildApp } from '../server/app.js';"],
    ["import { readFileSync } from 'node:fs';"],
    ["import Fastify from 'fastify';"],
  ])('forbid the API schemas `%s`', async (line) => {
    expect(await problems('src/api/forbidden.ts', `${line}\nexport const used = 1;\n`)).toEqual([
      'no-restricted-imports',
    ]);
  });

  it('let the API schemas import zod and each other', async () => {
    expect(
      await problems(
        'src/api/allowed.ts',
        "import { z } from 'zod';\nimport { plan } from './plans.js';\nexport const used = [z, plan];\n",
      ),
    ).toEqual([]);
  });

  it('let the core import the core', async () => {
    expect(
      await problems('src/core/allowed.ts', "export { grouped } from './format.js';\n"),
    ).toEqual([]);
  });

  it.each([
    ["import { run } from '../cli/main.js';"],
    ["import { openStore } from '../../store/open.js';"],
    ["import { buildApp } from '../server/app.js';"],
    ["import { api } from '../web/api.js';"],
    ["import { HighsSolver } from '../solver/highs-solver.js';"],
    ["import { readFileSync } from 'node:fs';"],
    ["import { createServer } from 'node:http';"],
    ["import { spawn } from 'child_process';"],
    ["import pg from 'pg';"],
    ["import { PGlite } from '@electric-sql/pglite';"],
    ["import Fastify from 'fastify';"],
  ])('forbid the core `%s`', async (line) => {
    expect(await problems('src/core/forbidden.ts', `${line}\nexport const used = 1;\n`)).toEqual([
      'no-restricted-imports',
    ]);
  });

  it.each([
    ['src/server/routes/forbidden.ts', "import { usdCell } from '../../cli/report/units.js';"],
    ['src/store/forbidden.ts', "import { run } from '../cli/main.js';"],
    ['src/scenario/forbidden.ts', "import { run } from '../cli/main.js';"],
    ['src/core/ledger/forbidden.ts', "import { usdCell } from '../../cli/report/units.js';"],
    ['src/agent/forbidden.ts', "import { connectionFrom } from '../cli/client/connection.js';"],
  ])('forbid %s to import the CLI', async (filePath, line) => {
    expect(await problems(filePath, `${line}\nexport const used = 1;\n`)).toEqual([
      'no-restricted-imports',
    ]);
  });

  it('let the dashboard take types, and only types, from the server and the store', async () => {
    const file = 'src/web/pages/forbidden.ts';
    expect(
      await problems(file, "import type { Tx } from '../../store/db.js';\nexport type T = Tx;\n"),
    ).toEqual([]);
    expect(
      await problems(
        file,
        "import { buildApp } from '../../server/app.js';\nexport const a = buildApp;\n",
      ),
    ).toEqual(['no-restricted-imports']);
  });

  it('see import cycles through `.js` specifiers of `.ts` files', async () => {
    // money.ts imports format.ts: format.ts importing money.ts back closes a circle.
    const code = "import { formatUSD } from './money.js';\n\nexport const money = formatUSD;\n";
    expect(await problems('src/core/format.ts', code)).toEqual(['import-x/no-cycle']);
  });
});
